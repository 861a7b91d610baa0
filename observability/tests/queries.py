#!/usr/bin/env python3
"""Every query of every dashboard and rule returns data from a real Prometheus.

Usage: queries.py PROMETHEUS_URL DASHBOARDS_DIR

Checks, against a Prometheus that scrapes the running platform and evaluates the rules:
  - every recording rule's expression and every dashboard query returns at least one series;
  - every alert's expression, with its threshold comparisons taken off (an alert that does not
    fire returns nothing by design), returns at least one series;
  - every metric selector in any of them (e.g. million_cache_requests_total{outcome="hit"})
    matches at least one series: no metric name the services do not export.
The rules are read back from Prometheus (/api/v1/rules): the ones it really loaded.
Dashboard variables are replaced as Grafana would with "All" selected.
"""
import json
import pathlib
import re
import sys
import urllib.parse
import urllib.request

KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
            "bool", "offset", "inf", "nan"}
COMPARISON = re.compile(r"\s*(==|!=|>=|<=|>|<)\s*(bool\s+)?[-+0-9.e() *]+$")


def selectors(expr):
    """The vector selectors of a PromQL expression: metric name plus its {matchers}."""
    found, i, n = [], 0, len(expr)
    while i < n:
        c = expr[i]
        if c in "\"'":  # a string literal
            j = expr.index(c, i + 1)
            i = j + 1
        elif c == "[":  # a range or subquery duration
            i = expr.index("]", i) + 1
        elif c.isalpha() or c in "_:":
            j = i
            while j < n and (expr[j].isalnum() or expr[j] in "_:"):
                j += 1
            word, k = expr[i:j], j
            while k < n and expr[k] == " ":
                k += 1
            if word in KEYWORDS:
                if word in ("by", "without", "on", "ignoring", "group_left", "group_right") and k < n and expr[k] == "(":
                    k = expr.index(")", k) + 1  # a label list, not selectors
                i = k
            elif (k < n and expr[k] == "(") or re.match(r"(by|without)\s*\(", expr[k:]):
                i = k  # a function or aggregation (sum by (...) (...))
            else:
                if k < n and expr[k] == "{":
                    end = matching_brace(expr, k)
                    found.append(expr[i:end + 1])
                    i = end + 1
                else:
                    found.append(word)
                    i = j
        elif c == "{":  # a selector without a name: {__name__=~"..."}
            end = matching_brace(expr, i)
            found.append(expr[i:end + 1])
            i = end + 1
        else:
            i += 1
    return found


def matching_brace(expr, start):
    i, quote = start + 1, None
    while True:
        c = expr[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c == "}":
            return i
        i += 1


def top_level_split(expr, words):
    """Splits expr at the binary operators in `words` found outside parentheses and braces."""
    parts, depth, last, i = [], 0, 0, 0
    while i < len(expr):
        c = expr[i]
        if c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
        elif depth == 0:
            for w in words:
                if expr.startswith(f" {w} ", i):
                    rest = expr[i + len(w) + 2:]
                    m = re.match(r"(on|ignoring)\s*\([^)]*\)\s*", rest)
                    skip = len(w) + 2 + (m.end() if m else 0)
                    parts.append(expr[last:i])
                    last = i + skip
                    i = last - 1
                    break
        i += 1
    parts.append(expr[last:])
    return [p.strip() for p in parts]


def without_thresholds(expr):
    return [COMPARISON.sub("", side) for side in top_level_split(expr, ["and", "unless", "or"])]


def grafana(expr):
    return (expr.replace("$__rate_interval", "1m").replace("$__interval", "15s")
            .replace("$__range", "1h").replace('=~"$service"', '=~".+"'))


def api(base, path, **params):
    url = f"{base}/api/v1/{path}" + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=10) as response:
        body = json.load(response)
    if body.get("status") != "success":
        raise RuntimeError(body)
    return body["data"]


def query(base, expr):
    return api(base, "query", query=expr)["result"]


def main():
    base, dashboards_dir = sys.argv[1:3]
    checks = []  # (where, expression)
    rules = [rule for group in api(base, "rules")["groups"] for rule in group["rules"]]
    if not rules:
        sys.exit("Prometheus loaded no rules")
    for rule in rules:
        where = f"{rule['type']} rule {rule['name']}"
        if rule["type"] == "recording":
            checks.append((where, rule["query"]))
        else:
            for side in without_thresholds(rule["query"]):
                checks.append((where, side))
        for sel in selectors(rule["query"]):
            checks.append((f"{where} selector", sel))
    for path in sorted(pathlib.Path(dashboards_dir).glob("*.json")):
        dashboard = json.loads(path.read_text())
        for var in dashboard["templating"]["list"]:
            if var["type"] == "query":
                m = re.match(r"label_values\((.+),\s*(\w+)\)$", var["query"]["query"])
                checks.append((f"{path.name} variable ${var['name']}", f"count by ({m.group(2)}) ({m.group(1)})"))
        for panel in dashboard["panels"]:
            for target in panel.get("targets", []):
                expr = grafana(target["expr"])
                checks.append((f"{path.name} panel '{panel['title']}'", expr))
                for sel in selectors(expr):
                    checks.append((f"{path.name} panel '{panel['title']}' selector", sel))
    failed, seen = 0, set()
    for where, expr in checks:
        if expr in seen:
            continue
        seen.add(expr)
        try:
            series = len(query(base, expr))
        except Exception as e:  # a query Prometheus refuses is a failure too
            series, error = 0, str(e)
        else:
            error = "no data"
        if series == 0:
            failed += 1
            print(f"FAIL {where}: {expr} -> {error}")
    print(f"{len(rules)} rules and {len(list(pathlib.Path(dashboards_dir).glob('*.json')))} dashboards: "
          f"{len(seen)} distinct queries and selectors checked, {failed} without data")
    sys.exit(1 if failed or not seen else 0)


if __name__ == "__main__":
    main()

// Validates rendered Kubernetes manifests (multi-document YAML files given as arguments) offline,
// without an API server (kubectl --dry-run needs one for its OpenAPI document):
//  1. every document against its kind's OpenAPI schema: types, required fields, formats
//     (quantities, int-or-string), via kubernetes-models and its CRD packages (Prometheus
//     Operator, KEDA); a kind without a schema is an error;
//  2. built-in kinds again for unknown fields (a misspelt field is silently dropped by the API
//     server), walking the field lists of @kubernetes/client-node's generated models;
//  3. what every Million Deployment must carry (policy() below): probes on /q/health/* on the
//     management port (never the public one), a preStop drain, requests and limits, the
//     restricted security context; ServiceMonitors scrape the management port; NetworkPolicy
//     rules name their ports and their peers (no rule open to every source).
// Written here because no packaged validator (kubeconform, kubeval) is reachable from this machine.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const crdModules = {
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
  "keda.sh": "@kubernetes-models/keda",
};

async function modelClass(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const module = crdModules[group]
    ? `${crdModules[group]}/${group}/${version}`
    : group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  try {
    return (await import(module))[kind];
  } catch {
    return undefined;
  }
}

// Field lists of the built-in types: @kubernetes/client-node's models, one module per type.
const models = new Map();
async function fieldsOf(type) {
  if (!models.has(type)) {
    let fields = null;
    try {
      const mod = await import(`@kubernetes/client-node/dist/gen/models/${type}.js`);
      fields = mod[type]?.getAttributeTypeMap?.() ?? null;
    } catch {
      fields = null;
    }
    models.set(type, fields);
  }
  return models.get(type);
}

async function unknownFields(value, type, path, errors) {
  if (value === null || typeof value !== "object") return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value)) for (const [i, v] of value.entries()) await unknownFields(v, array[1], `${path}/${i}`, errors);
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    for (const [k, v] of Object.entries(value)) await unknownFields(v, map[1], `${path}/${k}`, errors);
    return;
  }
  const fields = await fieldsOf(type);
  if (!fields) return; // a primitive, IntOrString, or a free-form object
  const known = new Map(fields.map((f) => [f.baseName, f.type]));
  for (const [k, v] of Object.entries(value)) {
    if (!known.has(k)) errors.push(`${path}/${k}: unknown field (not in ${type})`);
    else await unknownFields(v, known.get(k), `${path}/${k}`, errors);
  }
}

// The production rules of issue 7 (and of the gate: operations on the management port only) for
// the services' pods, checked on every rendering.
function policy(obj) {
  const errors = [];
  const need = (ok, what) => ok || errors.push(`policy: ${what}`);
  if (obj.kind === "ServiceMonitor") {
    for (const e of obj.spec.endpoints ?? []) need(e.port === "management" && e.path === "/q/metrics", "ServiceMonitor scrapes /q/metrics on port management");
  }
  if (obj.kind === "NetworkPolicy") {
    for (const [i, rule] of (obj.spec.ingress ?? []).entries()) {
      need((rule.ports ?? []).length > 0, `NetworkPolicy ingress rule ${i} names its ports`);
      need((rule.from ?? []).length > 0, `NetworkPolicy ingress rule ${i} names its peers`);
      for (const peer of rule.from ?? []) need(peer.namespaceSelector || peer.podSelector, `NetworkPolicy ingress rule ${i}: a peer selects something`);
    }
  }
  if (obj.kind !== "Deployment") return errors;
  const pod = obj.spec.template.spec;
  need(pod.securityContext?.runAsNonRoot === true, "pod runAsNonRoot");
  need(pod.securityContext?.seccompProfile?.type === "RuntimeDefault", "seccomp RuntimeDefault");
  need(pod.automountServiceAccountToken === false, "no service account token");
  need((pod.topologySpreadConstraints ?? []).length > 0, "topology spread");
  for (const c of pod.containers) {
    const sc = c.securityContext ?? {};
    need(sc.readOnlyRootFilesystem === true, `${c.name}: readOnlyRootFilesystem`);
    need(sc.allowPrivilegeEscalation === false, `${c.name}: allowPrivilegeEscalation false`);
    need(sc.capabilities?.drop?.includes("ALL"), `${c.name}: drop ALL capabilities`);
    need(c.resources?.requests?.cpu && c.resources?.requests?.memory, `${c.name}: cpu and memory requests`);
    need(c.resources?.limits?.memory, `${c.name}: memory limit`);
    const ports = Object.fromEntries((c.ports ?? []).map((p) => [p.name, p.containerPort]));
    need(ports.http && ports.management && ports.http !== ports.management, `${c.name}: container ports http and management, distinct`);
    for (const [probe, path] of [["startupProbe", "/q/health/started"], ["readinessProbe", "/q/health/ready"], ["livenessProbe", "/q/health/live"]]) {
      need(c[probe]?.httpGet?.path === path, `${c.name}: ${probe} on ${path}`);
      need(c[probe]?.httpGet?.port === "management", `${c.name}: ${probe} on port management (not the public port)`);
    }
    for (const m of c.volumeMounts ?? []) {
      if (m.name === "jwt-public-key") need(m.readOnly === true, `${c.name}: the JWT public key mounted read-only`);
    }
    const drain = c.lifecycle?.preStop?.sleep?.seconds ?? 0;
    need(drain > 0, `${c.name}: preStop drain`);
    const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e]));
    for (const [name, e] of Object.entries(env)) {
      need(!/PASSWORD|SECRET|JAAS/.test(name) || e.valueFrom?.secretKeyRef, `${c.name}: ${name} only from a Secret`);
    }
    need(pod.terminationGracePeriodSeconds > drain, `${c.name}: termination grace beyond the drain`);
  }
  return errors;
}

let documents = 0;
let failures = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length) {
      console.error(`${file}: YAML error: ${doc.errors[0].message}`);
      failures++;
      continue;
    }
    const obj = doc.toJS();
    if (obj === null || obj === undefined) continue;
    documents++;
    const where = `${file}: ${obj.kind} ${obj.metadata?.name}`;
    const Model = obj.apiVersion && obj.kind ? await modelClass(obj.apiVersion, obj.kind) : undefined;
    if (!Model) {
      console.error(`${where}: no schema for ${obj.apiVersion} ${obj.kind}`);
      failures++;
      continue;
    }
    const errors = [];
    try {
      new Model(obj).validate();
    } catch (e) {
      errors.push(e.message);
    }
    const [, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : ["", obj.apiVersion];
    const builtIn = !crdModules[obj.apiVersion.split("/")[0]];
    if (builtIn) {
      const type = version[0].toUpperCase() + version.slice(1) + obj.kind;
      if (!(await fieldsOf(type))) errors.push(`no field list for ${type}`);
      else await unknownFields(obj, type, "", errors);
    }
    errors.push(...policy(obj));
    if (errors.length) {
      failures++;
      for (const e of errors) console.error(`${where}: ${e}`);
    }
  }
}
console.log(`validated ${documents} manifests, ${failures} invalid`);
if (documents === 0 || failures > 0) process.exit(1);

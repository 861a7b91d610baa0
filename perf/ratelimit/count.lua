-- GETs (paced by DELAY_MS per request and connection when set) that tally, per wall-clock second,
-- the answers the rate limiter admitted (anything but 429) and refused (429); done() writes
-- "second admitted refused" lines to COUNTS_FILE.
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
local threads = {}
admitted, refused = {}, {}

setup = function(thread) threads[#threads + 1] = thread end

if delay_ms > 0 then
  delay = function() return delay_ms end
end

response = function(status, headers, body)
  local second = os.time()
  if status == 429 then
    refused[second] = (refused[second] or 0) + 1
  else
    admitted[second] = (admitted[second] or 0) + 1
  end
end

done = function(summary, latency, requests)
  local out = io.open(os.getenv("COUNTS_FILE"), "w")
  for _, thread in ipairs(threads) do
    local a, r = thread:get("admitted"), thread:get("refused")
    local seconds = {}
    for s in pairs(a) do seconds[s] = true end
    for s in pairs(r) do seconds[s] = true end
    for s in pairs(seconds) do
      out:write(string.format("%d %d %d\n", s, a[s] or 0, r[s] or 0))
    end
  end
  out:close()
end

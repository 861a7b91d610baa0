-- One atomic call for many limiter keys (libs/ratelimit RedisCounts). Per key, five ARGV:
--   algorithm ('t' token bucket, 's' sliding window), delta, limit, window_ms, burst.
-- delta >= 0: a hybrid sync, add what a replica admitted locally; delta = -1: strict, take one
-- if the quota allows. Time is the Redis server's, so replicas' clocks do not matter.
-- Returns per key {allowed, a, b, elapsed_ms}: token bucket a = tokens left (may be negative:
-- debt a replica ran up between syncs); sliding window a = current count, b = previous count.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for i, key in ipairs(KEYS) do
  local b = (i - 1) * 5
  local algo = ARGV[b + 1]
  local delta = tonumber(ARGV[b + 2])
  local limit = tonumber(ARGV[b + 3])
  local window = tonumber(ARGV[b + 4])
  local burst = tonumber(ARGV[b + 5])
  local allowed = 1
  if algo == 't' then
    local s = redis.call('HMGET', key, 't', 'ts')
    local tokens = tonumber(s[1]) or burst
    local ts = tonumber(s[2]) or now
    tokens = math.min(burst, tokens + math.max(0, now - ts) * limit / window)
    if delta < 0 then
      if tokens >= 1 then tokens = tokens - 1 else allowed = 0 end
    else
      tokens = math.max(-burst, tokens - delta)
    end
    redis.call('HSET', key, 't', tostring(tokens), 'ts', tostring(now))
    redis.call('PEXPIRE', key, math.ceil(window * burst / limit) + window)
    out[i] = {allowed, tostring(tokens), '0', 0}
  else
    local idx = math.floor(now / window)
    local s = redis.call('HMGET', key, 'w', 'c', 'p')
    local w = tonumber(s[1]) or idx
    local c = tonumber(s[2]) or 0
    local p = tonumber(s[3]) or 0
    if idx == w + 1 then p = c; c = 0 elseif idx > w + 1 then p = 0; c = 0 end
    local elapsed = now - idx * window
    if delta < 0 then
      if p * (window - elapsed) / window + c + 1 <= limit then c = c + 1 else allowed = 0 end
    else
      c = c + delta
    end
    redis.call('HSET', key, 'w', tostring(idx), 'c', tostring(c), 'p', tostring(p))
    redis.call('PEXPIRE', key, 2 * window)
    out[i] = {allowed, tostring(c), tostring(p), elapsed}
  end
end
return out

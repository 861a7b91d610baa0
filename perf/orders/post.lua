-- POST /v1/orders with a fresh Idempotency-Key per request (run id + thread-local counter).
-- USERS_FILE / PRODUCTS_FILE (one id per line) pick real users and products (the saga phase);
-- without them ids are random (the throughput phase: orders does not look them up on POST).
-- DELAY_MS paces each connection (wrk's delay()), for a steady rate instead of saturation.
local counter = 0
local run = os.getenv("RUN_ID") or tostring(os.time())
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
local users, products = {}, {}

local function load(path, into)
  if path == nil or path == "" then return end
  for line in io.lines(path) do
    if line ~= "" then into[#into + 1] = line end
  end
end

init = function(args)
  load(os.getenv("USERS_FILE"), users)
  load(os.getenv("PRODUCTS_FILE"), products)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

local function pick(list, fallback)
  if #list > 0 then return list[math.random(#list)] end
  return fallback
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = os.getenv("AUTHORIZATION")

request = function()
  counter = counter + 1
  local user = pick(users, tostring(math.random(1, 2000000000)))
  local product = pick(products, tostring(math.random(1, 2000000000)))
  wrk.headers["Idempotency-Key"] = run .. "-" .. tostring({}):sub(8) .. "-" .. counter
  local body = '{"userId":"' .. user .. '","items":[{"productId":"' .. product .. '","quantity":1}]}'
  return wrk.format(nil, nil, nil, body)
end

if delay_ms > 0 then
  delay = function() return delay_ms end
end

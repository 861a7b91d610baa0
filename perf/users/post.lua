-- POST /v1/users with a fresh email per request (run id + thread-local counter).
local counter = 0
local run = os.getenv("RUN_ID") or tostring(os.time())
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  counter = counter + 1
  local body = '{"email":"perf.' .. run .. '.' .. counter .. '@example.com","name":"Perf User"}'
  return wrk.format(nil, nil, nil, body)
end

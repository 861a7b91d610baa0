-- GET /v1/users/{id} over ids read from $IDS_FILE (one per line), in random order.
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/v1/users/" .. ids[math.random(#ids)])
end

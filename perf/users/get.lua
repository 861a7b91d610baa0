-- GET /v1/users/{id} over ids read from $IDS_FILE (one per line), in random order, with
-- Authorization: $AUTHORIZATION when set (an operator token may read every user).
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
math.randomseed(os.time())
local headers = {}
if os.getenv("AUTHORIZATION") then headers["Authorization"] = os.getenv("AUTHORIZATION") end
request = function()
  return wrk.format("GET", "/v1/users/" .. ids[math.random(#ids)], headers)
end

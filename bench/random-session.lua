-- wrk script: each request carries the session cookie of a user picked at random from the file
-- that make-sessions.py wrote. wrk reads the file's path from the environment, because a script's
-- arguments reach only its init function.
local cookies = {}

local path = os.getenv("BENCH_COOKIES")
for line in io.lines(path) do
  cookies[#cookies + 1] = line
end
if #cookies == 0 then
  error("no cookies in " .. path)
end

-- Each wrk thread has its own Lua state, seeded apart so the threads pick different users.
init = function(args)
  local address = tonumber(tostring({}):match("0x(%x+)") or "0", 16)
  math.randomseed(os.time() + address % 1000000007)
end

request = function()
  return wrk.format("GET", nil, { Cookie = cookies[math.random(#cookies)] })
end

-- wrk: each request with a new argument (?fresh=<thread>-<n>), so that no server has kept it.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

local n = 0

function request()
  n = n + 1
  local joiner = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. joiner .. "fresh=" .. id .. "-" .. n)
end

-- wrk: each request with a new argument (?fresh=<thread>-<n>, or the name in BENCH_ARG), so
-- that no server has kept it.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

local n = 0
local name = os.getenv("BENCH_ARG") or "fresh"

function request()
  n = n + 1
  local joiner = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. joiner .. name .. "=" .. id .. "-" .. n)
end

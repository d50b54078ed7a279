-- wrk script for bench/survey_get.py: every request GETs PREFIX .. a line of FILE .. SUFFIX, the lines taken
-- in turn (thread i of T starts at line i and steps by T, wrapping around), so every request opens a
-- different survey link, as the clicks in an email campaign do.
--
--   wrk -t T -c C -d 15s -s bench/get_paths.lua http://127.0.0.1:PORT -- FILE PREFIX SUFFIX T
--
-- At the end one line "RESULT {json}" counts the 200 answers and the others.

local threads = {}
local count = 0

function setup(thread)
  thread:set("tid", count)
  count = count + 1
  table.insert(threads, thread)
end

function init(args)
  local file, stride = args[1], tonumber(args[4])
  prefix, suffix = args[2], args[3]
  paths = {}
  local index = 0
  for line in io.lines(file) do
    if index % stride == tid and line ~= "" then
      paths[#paths + 1] = line
    end
    index = index + 1
  end
  turn, ok, other = 0, 0, 0
end

function request()
  turn = turn % #paths + 1
  return wrk.format("GET", prefix .. paths[turn] .. suffix)
end

function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local ok_all, other_all = 0, 0
  for _, thread in ipairs(threads) do
    ok_all = ok_all + thread:get("ok")
    other_all = other_all + thread:get("other")
  end
  io.write(string.format('RESULT {"requests": %d, "ok": %d, "other": %d, "errors": %d}\n', summary.requests,
    ok_all, other_all, summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.status + summary.errors.timeout))
end

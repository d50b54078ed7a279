-- wrk script for bench/survey_post.py: every request POSTs one survey answer to a path taken from a
-- file, each line used at most once, so every request is a fresh INSERT (never an update, never a
-- duplicate).
--
--   wrk -t T -c C -d 15s -s bench/post_tokens.lua http://127.0.0.1:PORT -- FILE PREFIX START STOP T
--
-- FILE: one path segment per line (a signed survey token, or an id for the bare app);
-- PREFIX: what goes before it ("/s/" or "/a/"); START, STOP: the 0-based line range [START, STOP)
-- this run may use; T: wrk's thread count again (a thread's init cannot know it otherwise).
-- Thread i of T takes lines START+i, START+i+T, … . When a thread runs out it
-- stops and says so ("exhausted"): wrk then still divides by the full duration, so the harness
-- rejects such a run instead of reporting it.
--
-- At the end one line "RESULT {json}" gives, per thread, how many lines it consumed ("used") and
-- how many responses were 303 or anything else; the harness starts the next run after the largest.

local threads = {}
local count = 0

function setup(thread)
  thread:set("tid", count)
  count = count + 1
  table.insert(threads, thread)
end

function init(args)
  local file, start, stop, stride = args[1], tonumber(args[3]), tonumber(args[4]), tonumber(args[5])
  prefix = args[2]
  paths = {}
  local index = 0
  for line in io.lines(file) do
    if index >= stop then break end
    if index >= start and (index - start) % stride == tid and line ~= "" then
      paths[#paths + 1] = line
    end
    index = index + 1
  end
  lines, used, see_other, other, exhausted = #paths, 0, 0, 0, 0
  headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  body = "score=9&comment=" ..
    "Setup+was+quick+and+support+answered+within+the+hour.+The+export+could+be+faster." ..
    "&may_contact=1"
end

function request()
  used = used + 1
  local path = paths[used]
  if path == nil then
    exhausted = 1
    wrk.thread:stop()
    path = "exhausted"
  end
  return wrk.format("POST", prefix .. path, headers, body)
end

function response(status, headers, body)
  if status == 303 then
    see_other = see_other + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local parts = {}
  for _, thread in ipairs(threads) do
    parts[#parts + 1] = string.format(
      '{"tid": %d, "lines": %d, "used": %d, "see_other": %d, "other": %d, "exhausted": %d}',
      thread:get("tid"), thread:get("lines"), thread:get("used"), thread:get("see_other"),
      thread:get("other"), thread:get("exhausted"))
  end
  io.write(string.format('RESULT {"threads": [%s], "requests": %d, "duration_us": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    table.concat(parts, ", "), summary.requests, summary.duration, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout))
end

-- wrk script for the ReadPulse benchmark (bench/run.ts starts it; see bench/README.md).
--
--   wrk ... -s bench/lua/readpulse.lua http://127.0.0.1:PORT -- MODE KEY=VALUE...
--
-- MODE is one of:
--   activity   POST /api/me/activity, rotating reader tokens    (readers=FILE)
--   milestone  PUT /api/me/milestones/:chapterId, rotating tokens and chapters
--                                                                (readers=FILE chapters=N)
--   live       GET /api/consultant/dashboard/live, rotating consultants  (consultants=FILE)
--   progress   GET /api/readers/:id/progress, rotating consultants and readers
--                                                                (consultants=FILE readers=FILE)
-- A token FILE has one "<userId> <token>" line per user.
--
-- Every thread tallies response statuses; done() prints one line "WRK_JSON {...}" with the
-- counts and latency percentiles (microseconds) for bench/wrk-runner.ts to parse.

local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

-- Per-thread state (each wrk thread has its own Lua state).
statuses = {}
local mode
local readers = {}
local consultants = {}
local chapters = 20
local counter = 0
local milestone_statuses = { "started", "completed", "stuck" }

local function load_tokens(file)
  local users = {}
  local handle = assert(io.open(file, "r"), "cannot open token file " .. tostring(file))
  for line in handle:lines() do
    local id, token = line:match("^(%d+)%s+(%S+)$")
    if id then
      table.insert(users, { id = id, auth = "Bearer " .. token })
    end
  end
  handle:close()
  assert(#users > 0, "no tokens in " .. file)
  return users
end

function init(args)
  mode = args[1]
  local options = {}
  for i = 2, #args do
    local key, value = args[i]:match("^([%w_]+)=(.*)$")
    if key then options[key] = value end
  end
  if options.readers then readers = load_tokens(options.readers) end
  if options.consultants then consultants = load_tokens(options.consultants) end
  if options.chapters then chapters = tonumber(options.chapters) end
  -- Threads start at different points of the rotation so they do not hit the same users together.
  counter = (thread_index or 0) * 7919
  if mode == "activity" or mode == "milestone" then
    assert(#readers > 0, mode .. " needs readers=FILE")
  elseif mode == "live" then
    assert(#consultants > 0, "live needs consultants=FILE")
  elseif mode == "progress" then
    assert(#consultants > 0 and #readers > 0, "progress needs consultants=FILE readers=FILE")
  else
    error("unknown mode " .. tostring(mode))
  end
end

function request()
  counter = counter + 1
  if mode == "activity" then
    local reader = readers[counter % #readers + 1]
    return wrk.format("POST", "/api/me/activity",
      { ["Authorization"] = reader.auth, ["Content-Type"] = "application/json" },
      '{"actionType":"PAGE_VIEW","metadata":{"page":' .. (counter % 500 + 1) .. '}}')
  elseif mode == "milestone" then
    local reader = readers[counter % #readers + 1]
    -- One chapter per pass over the readers, so a reader's successive writes move on.
    local chapter = math.floor(counter / #readers) % chapters + 1
    local status = milestone_statuses[counter % 3 + 1]
    return wrk.format("PUT", "/api/me/milestones/ch-" .. chapter,
      { ["Authorization"] = reader.auth, ["Content-Type"] = "application/json" },
      '{"status":"' .. status .. '","score":' .. (counter % 101) .. '}')
  elseif mode == "live" then
    local consultant = consultants[counter % #consultants + 1]
    -- No If-None-Match: wrk's HTTP parser waits for the body that a 304's Content-Length
    -- announces, and under write load the readers' lastActiveAt changes the ETag anyway.
    return wrk.format("GET", "/api/consultant/dashboard/live", { ["Authorization"] = consultant.auth })
  else
    local consultant = consultants[counter % #consultants + 1]
    local reader = readers[(counter * 31) % #readers + 1]
    return wrk.format("GET", "/api/readers/" .. reader.id .. "/progress",
      { ["Authorization"] = consultant.auth })
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    if counts then
      for code, n in pairs(counts) do
        totals[code] = (totals[code] or 0) + n
      end
    end
  end
  local status_parts = {}
  for code, n in pairs(totals) do
    table.insert(status_parts, string.format('"%d":%d', code, n))
  end
  local e = summary.errors
  local percentiles = {}
  for _, p in ipairs({ 50, 90, 95, 99, 99.9 }) do
    table.insert(percentiles, string.format('"%s":%d', tostring(p), latency:percentile(p)))
  end
  io.write(string.format(
    'WRK_JSON {"durationUs":%d,"requests":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyUs":{"min":%d,"max":%d,"mean":%.1f,"stdev":%.1f,"percentiles":{%s}},' ..
    '"statuses":{%s}}\n',
    summary.duration, summary.requests, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.max, latency.mean, latency.stdev, table.concat(percentiles, ","),
    table.concat(status_parts, ",")))
end

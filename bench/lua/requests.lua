-- Requests from a file, one a line, shared out among wrk's threads; statuses counted.
--
--   wrk -t THREADS -s bench/lua/requests.lua URL -- REQUESTS_FILE THREADS
--
-- A line is tab-separated: method, path, body (may be empty), then headers as
-- "Name: value". Thread k of n sends lines k, k+n, k+2n, ... (0-based) in turn and starts
-- again from its first when it has sent them all (the harness writes enough
-- distinct lines for a case that must not repeat one). Every request is
-- formatted once, in init(). done() prints one JSON line that bench/wrk.py reads.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local requests = {}
local position = 0
statuses = {}

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

local function format(line)
  local fields = split(line)
  local headers = {}
  for i = 4, #fields do
    local name, value = fields[i]:match("^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  local body = fields[3] ~= "" and fields[3] or nil
  return wrk.format(fields[1], fields[2], headers, body)
end

function init(args)
  local path, total = args[1], tonumber(args[2])
  local lines = {}
  for line in io.lines(path) do
    if line ~= "" then
      table.insert(lines, line)
    end
  end
  if #lines == 0 then
    error("no requests in " .. path)
  end
  -- Fewer lines than threads (a case of one request): every thread sends them all.
  local step = #lines >= total and total or 1
  local first = #lines >= total and index + 1 or 1
  for i = first, #lines, step do
    table.insert(requests, format(lines[i]))
  end
end

function request()
  position = position % #requests + 1
  return requests[position]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    local seen = thread:get("statuses")
    for status, n in pairs(seen) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}, '
      .. '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}, '
      .. '"statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.timeout, errors.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, table.concat(parts, ", ")
  ))
end

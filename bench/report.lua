-- wrk script: request a list of paths in turn and print one JSON line of results.
-- Paths come as arguments, or from a file named by an argument "@FILE" (one path a line),
-- for lists too long for a command line (the bench's thousands of distinct postcodes).
local paths = {}
local counter = 0

function init(args)
  for i, p in ipairs(args) do
    if string.sub(p, 1, 1) == "@" then
      for line in io.lines(string.sub(p, 2)) do
        if #line > 0 then paths[#paths + 1] = line end
      end
    else
      paths[#paths + 1] = p
    end
  end
  if #paths == 0 then paths = { "/" } end
end

function request()
  local path = paths[(counter % #paths) + 1]
  counter = counter + 1
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests": %d, "errors": %d, "non_2xx": %d, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f}\n',
    summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status,
    summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end

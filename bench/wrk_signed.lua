-- wrk script for bench/wrk_endpoints.py: sends pre-signed requests read from a file (the
-- argument after `--`), one line each: path, two signature headers, content type, body,
-- separated by tabs. Each is sent once; a run that used them all would start over and be
-- refused as replays, so the file holds more than a run needs.
local requests = {}
local next_one = 0

function init(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    local path, h1, v1, h2, v2, kind, body =
      line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    if path then
      requests[#requests + 1] =
        wrk.format("POST", path, { [h1] = v1, [h2] = v2, ["Content-Type"] = kind }, body)
    end
  end
  file:close()
end

function request()
  next_one = next_one % #requests + 1
  return requests[next_one]
end

function done(summary, latency, _)
  local errors = summary.errors
  io.write(string.format(
    'JSON {"requests":%d,"duration_us":%d,"non2xx":%d,"errors":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end

-- Requests for wrk, taken in turn from a file with one request per line: "GET <path>" or "POST <path> <body>",
-- where the body is already form-encoded. Usage: wrk ... -s requests.lua <url> -- FILE ACCEPT
-- At the end it prints one JSON line: requests, seconds, and answers that were not 2xx/3xx (wrk would count
-- them as successes otherwise).
local requests = {}
local next_request = 1

function init(args)
  for line in io.lines(args[1]) do
    local method, path, body = line:match("^(%S+) (%S+) ?(.*)$")
    local headers = {["Accept"] = args[2]}
    if method == "POST" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
    else
      body = nil
    end
    requests[#requests + 1] = wrk.format(method, path, headers, body)
  end
  next_request = math.random(#requests)  -- each thread starts at another place in the list
end

function request()
  local chosen = requests[next_request]
  next_request = next_request % #requests + 1
  return chosen
end

function done(summary, latency, requests)
  io.write(string.format('{"requests": %d, "seconds": %.3f, "not_ok": %d, "socket_errors": %d, "p50_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000))
end

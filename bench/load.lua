-- A bounded mix of read requests for wrk (bench/load.sh writes the paths). Each thread sends
-- its share of the requests, round-robin over the paths from an offset of its own, counts
-- every answer >= 400 as an error and stops when its share is answered; the summary prints the
-- error count and the latency percentiles.
--
-- wrk itself only stops when its duration is over (or on SIGINT, after which it still prints
-- its report): a thread whose share is answered writes WRK_DONE_DIR/<thread>, and
-- bench/load.sh interrupts wrk once every thread has, so the figures cover exactly the
-- bounded run.
--
-- Environment: WRK_PATHS (a file, one path per line), WRK_REQUESTS_PER_THREAD, WRK_DONE_DIR.

local threads = {}

function setup(thread)
  thread:set("offset", #threads * 7)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(os.getenv("WRK_PATHS")) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  budget = tonumber(os.getenv("WRK_REQUESTS_PER_THREAD") or "1000")
  answered = 0
  errors = 0
  gone = 0
  sent = offset
end

function request()
  sent = sent + 1
  return wrk.format("GET", paths[(sent % #paths) + 1])
end

function response(status, headers, body)
  answered = answered + 1
  -- A 404 is counted apart: a resource can go away while an ingest runs (a pair the rescoring
  -- no longer relates, a story merged into another); bench/load.sh checks that such paths are
  -- indeed gone at the end.
  if status == 404 then gone = gone + 1 elseif status >= 400 then errors = errors + 1 end
  if answered == budget then
    local f = io.open(os.getenv("WRK_DONE_DIR") .. "/" .. index, "w")
    if f then f:close() end
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local n, errs, gone = 0, 0, 0
  for _, t in ipairs(threads) do
    n = n + t:get("answered")
    errs = errs + t:get("errors")
    gone = gone + t:get("gone")
  end
  io.write(string.format("answers counted: %d, HTTP errors (status >= 400 but 404): %d, socket errors: %d\n",
    n, errs, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("not found (404): %d\n", gone))
  io.write(string.format("requests: %d in %.2f s (%.0f/s)\n", summary.requests,
    summary.duration / 1e6, summary.requests / (summary.duration / 1e6)))
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    io.write(string.format("latency p%g: %.2f ms\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("latency max: %.2f ms\n", latency.max / 1000))
end

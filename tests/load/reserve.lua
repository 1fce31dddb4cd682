-- wrk: each request reserves a voucher no request has reserved before. Thread i of n takes the
-- pool's numbers i, i+n, i+2n, ...; the pool is sized so the run never reaches its end (a repeat
-- would answer 409, which scripts/load-api.sh reports as a failure).
-- Set by scripts/load-api.sh: THREADS, TOKEN, DAY.
local threads = tonumber(os.getenv("THREADS"))
local counter = 0

function setup(thread)
  thread:set("first", counter)
  counter = counter + 1
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
  local day = os.getenv("DAY")
  wrk.body = '{"adminEmail":"it-admin@northwind.example","acceptTerms":true,"locationId":"11",'
    .. '"engagementStart":"' .. day .. '","engagementEnd":"' .. day .. '"}'
  next_number = first
end

function request()
  local path = string.format("/v1/vouchers/LOAD%08d/reservation", next_number)
  next_number = next_number + threads
  return wrk.format(nil, path)
end

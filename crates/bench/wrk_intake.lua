-- wrk script for durable intake: POST /api/v1/cases with a fresh customer each time.
-- The token comes from the environment (ROADONE_TOKEN); see wrk_intake.sh.
local n = 0
local token = os.getenv("ROADONE_TOKEN")
request = function()
  n = n + 1
  local body = string.format(
    '{"customer":{"email":"wrk%d@bench.example"},"category":"billing","subject":"Charged twice for order %d","body":"I was charged twice this month.","channel":"email"}',
    n % 50000, n)
  return wrk.format("POST", "/api/v1/cases",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end

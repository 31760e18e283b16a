/**
 * Applies a batch plan (core/aggregation/redis-plan.ts encodePlan) and moves the gate in one
 * atomic step, but only when the gate still holds the high-water the plan was made against:
 * a redelivered batch, or a second invocation racing this one, changes nothing.
 *
 * KEYS[1] gate key. ARGV[1] expected high-water, ARGV[2] new high-water, then the ops.
 * Returns {1, new} when applied, {0, current} when the gate had moved.
 */
export const APPLY_PLAN_LUA = `
local current = redis.call('GET', KEYS[1])
if current == false then current = '-1' end
if current ~= ARGV[1] then return {0, current} end
local i = 3
local n = #ARGV
while i <= n do
  local op = ARGV[i]
  if op == 'h' then
    redis.call('HINCRBY', ARGV[i + 1], ARGV[i + 2], ARGV[i + 3])
    i = i + 4
  elseif op == 'z' then
    redis.call('ZINCRBY', ARGV[i + 1], ARGV[i + 3], ARGV[i + 2])
    i = i + 4
  elseif op == 'p' then
    local count = tonumber(ARGV[i + 2])
    redis.call('PFADD', ARGV[i + 1], unpack(ARGV, i + 3, i + 2 + count))
    i = i + 3 + count
  elseif op == 'm' then
    local count = tonumber(ARGV[i + 2])
    redis.call('PFMERGE', ARGV[i + 1], unpack(ARGV, i + 3, i + 2 + count))
    i = i + 3 + count
  elseif op == 's' then
    redis.call('SET', ARGV[i + 1], ARGV[i + 2], 'PXAT', ARGV[i + 3])
    i = i + 4
  elseif op == 'e' then
    redis.call('EXPIREAT', ARGV[i + 1], ARGV[i + 2])
    i = i + 3
  else
    return redis.error_reply('unknown plan op ' .. tostring(op) .. ' at ' .. i)
  end
end
redis.call('SET', KEYS[1], ARGV[2])
return {1, ARGV[2]}
`;

/**
 * Applies a batch plan (core/aggregation/redis-plan.ts encodePlan) and moves the gate in one
 * atomic step, but only when the gate still holds the high-water the plan was made against
 * and every field the plan claims is unset or already holds the claimed value: a redelivered
 * batch, a second invocation racing this one, or a consumer of the same partition that sized
 * a dedup segment differently changes nothing.
 *
 * Every key is declared in KEYS (ElastiCache Serverless requires it, and in cluster mode all of
 * them share the `{sp}` hash tag, so one slot): KEYS[1] is the gate, and the ops name keys by
 * their index into KEYS. ARGV[1] expected high-water, ARGV[2] new high-water, ARGV[3] the
 * number of claims, then the claims (key field value), then the ops.
 * Returns {1, new} when applied, {0, current} when the gate had moved, {2, field} when a claim
 * was held by another value.
 */
export const APPLY_PLAN_LUA = `
local current = redis.call('GET', KEYS[1])
if current == false then current = '-1' end
if current ~= ARGV[1] then return {0, current} end
local claims = tonumber(ARGV[3])
local i = 4
for c = 1, claims do
  local held = redis.call('HGET', KEYS[tonumber(ARGV[i])], ARGV[i + 1])
  if held ~= false and held ~= ARGV[i + 2] then return {2, ARGV[i + 1]} end
  i = i + 3
end
i = 4
for c = 1, claims do
  redis.call('HSET', KEYS[tonumber(ARGV[i])], ARGV[i + 1], ARGV[i + 2])
  i = i + 3
end
local n = #ARGV
local visitors = {}
while i <= n do
  local op = ARGV[i]
  if op == 'h' then
    redis.call('HINCRBY', KEYS[tonumber(ARGV[i + 1])], ARGV[i + 2], ARGV[i + 3])
    i = i + 4
  elseif op == 'z' then
    redis.call('ZINCRBY', KEYS[tonumber(ARGV[i + 1])], ARGV[i + 3], ARGV[i + 2])
    i = i + 4
  elseif op == 'p' then
    local count = tonumber(ARGV[i + 2])
    redis.call('PFADD', KEYS[tonumber(ARGV[i + 1])], unpack(ARGV, i + 3, i + 2 + count))
    i = i + 3 + count
  elseif op == 'm' then
    local count = tonumber(ARGV[i + 2])
    local sources = {}
    for s = 1, count do sources[s] = KEYS[tonumber(ARGV[i + 2 + s])] end
    redis.call('PFMERGE', KEYS[tonumber(ARGV[i + 1])], unpack(sources))
    i = i + 3 + count
  elseif op == 's' then
    redis.call('SET', KEYS[tonumber(ARGV[i + 1])], ARGV[i + 2], 'PXAT', ARGV[i + 3])
    i = i + 4
  elseif op == 'F' then
    local packed = ARGV[i + 1]
    local at = 1
    while at <= #packed do
      local a, b, c, d, nameLength = string.byte(packed, at, at + 4)
      local name = string.sub(packed, at + 5, at + 4 + nameLength)
      local valueLength = string.byte(packed, at + 5 + nameLength)
      local value = string.sub(packed, at + 6 + nameLength, at + 5 + nameLength + valueLength)
      redis.call('HSET', KEYS[((a * 256 + b) * 256 + c) * 256 + d], name, value)
      at = at + 6 + nameLength + valueLength
    end
    i = i + 2
  elseif op == 'd' then
    redis.call('HDEL', KEYS[tonumber(ARGV[i + 1])], ARGV[i + 2])
    i = i + 3
  elseif op == 'r' then
    -- Made at full size once, so later writes never grow (and over-allocate) the string.
    if redis.call('EXISTS', KEYS[tonumber(ARGV[i + 1])]) == 0 then
      redis.call('SET', KEYS[tonumber(ARGV[i + 1])], string.rep('\0', tonumber(ARGV[i + 2])))
    end
    redis.call('SETRANGE', KEYS[tonumber(ARGV[i + 1])], ARGV[i + 3], ARGV[i + 4])
    i = i + 5
  elseif op == 'B' then
    -- A bounded tally (core/aggregation/bounded-tally.ts): each value takes a place while the
    -- bucket has room, and keeps it; the rest count as "other". Decided here, atomically with
    -- every other writer of the bucket, so the bound holds exactly.
    local k = tonumber(ARGV[i + 1])
    local places = tonumber(ARGV[i + 2])
    local currencies = tonumber(ARGV[i + 3])
    local types = tonumber(ARGV[i + 4])
    local members = tonumber(ARGV[i + 5])
    i = i + 6
    -- Whether name holds, or now takes, one of the bucket's limit places of a kind whose count
    -- is the field counter and whose marks are counter:name: currencies ($), types (T).
    local function hasPlace(counter, name, limit)
      if redis.call('HEXISTS', KEYS[k], counter .. ':' .. name) == 1 then return true end
      if tonumber(redis.call('HGET', KEYS[k], counter) or '0') >= limit then return false end
      redis.call('HSET', KEYS[k], counter .. ':' .. name, '1')
      redis.call('HINCRBY', KEYS[k], counter, 1)
      return true
    end
    for m = 1, members do
      local slot = nil
      if string.sub(ARGV[i], 1, 1) == 'v' then
        local value = string.sub(ARGV[i], 2)
        if redis.call('HEXISTS', KEYS[k], 'e:' .. value) == 1 then
          slot = value
        elseif tonumber(redis.call('HGET', KEYS[k], '#') or '0') < places then
          redis.call('HINCRBY', KEYS[k], '#', 1)
          slot = value
        end
      end
      local function field(metric)
        if slot then return metric .. ':' .. slot end
        return '*' .. metric
      end
      redis.call('HINCRBY', KEYS[k], field('e'), ARGV[i + 1])
      if ARGV[i + 2] ~= '0' then redis.call('HINCRBY', KEYS[k], field('o'), ARGV[i + 2]) end
      local kinds = tonumber(ARGV[i + 3])
      i = i + 4
      for c = 1, kinds do
        if hasPlace('$', ARGV[i], currencies) then
          redis.call('HINCRBY', KEYS[k], field('r:' .. ARGV[i]), ARGV[i + 1])
        else
          redis.call('HINCRBY', KEYS[k], '!r', 1)
        end
        i = i + 2
      end
      -- Events per type, for values with a place only (what a filtered overview reads); the
      -- types take places as the currencies do.
      local typeCount = tonumber(ARGV[i])
      i = i + 1
      for t = 1, typeCount do
        if slot then
          if hasPlace('T', ARGV[i], types) then
            redis.call('HINCRBY', KEYS[k], 't:' .. ARGV[i] .. ':' .. slot, ARGV[i + 1])
          else
            redis.call('HINCRBY', KEYS[k], '!t', ARGV[i + 1])
          end
        end
        i = i + 2
      end
    end
  elseif op == 'U' then
    -- The visitors the V ops that follow name by index.
    local count = tonumber(ARGV[i + 1])
    for v = 1, count do visitors[v] = ARGV[i + 1 + v] end
    i = i + 2 + count
  elseif op == 'V' then
    -- Visitors of one value of a bounded tally (KEYS[tally]), added to that value's own
    -- HyperLogLog only while the value has a place there: the tally's bound bounds them too.
    if redis.call('HEXISTS', KEYS[tonumber(ARGV[i + 1])], 'e:' .. ARGV[i + 4]) == 1 then
      local chunk = {}
      for index in string.gmatch(ARGV[i + 5], '%d+') do
        chunk[#chunk + 1] = visitors[tonumber(index)]
        -- Lua's unpack() has a stack limit near 8000.
        if #chunk == 1000 then
          redis.call('PFADD', KEYS[tonumber(ARGV[i + 2])], unpack(chunk))
          chunk = {}
        end
      end
      if #chunk > 0 then redis.call('PFADD', KEYS[tonumber(ARGV[i + 2])], unpack(chunk)) end
      redis.call('EXPIREAT', KEYS[tonumber(ARGV[i + 2])], ARGV[i + 3])
    end
    i = i + 6
  elseif op == 'E' then
    for k in string.gmatch(ARGV[i + 2], '%d+') do
      redis.call('EXPIREAT', KEYS[tonumber(k)], ARGV[i + 1])
    end
    i = i + 3
  else
    return redis.error_reply('unknown plan op ' .. tostring(op) .. ' at ' .. i)
  end
end
redis.call('SET', KEYS[1], ARGV[2])
return {1, ARGV[2]}
`;

/**
 * What an offset gate reads of the dedup state for one batch, in one script call: the verdicts
 * other consumers of the partition left for the batch's offsets (verdict-log.ts) and, unless
 * those decide every one of them, the batch's ids looked up in the live dedup segments
 * (first-sights.ts sightLookup). In a script so that a likely leader's lookups travel in the
 * same round trip as its other reads, and cost Redis nothing when the verdicts make them
 * unnecessary after all.
 *
 * KEYS: the R verdict chunks, then the shard keys the entries point at. ARGV[1] R, then a
 * GETRANGE start and end per chunk, then the packed lookup entries (16 bytes each: the shard's
 * 1-based index in KEYS as a big-endian uint32, the 12-byte field; a shard's entries together).
 * Verdict bytes are zero
 * until a leader writes them, and a missing chunk reads empty: either means undecided.
 * With R = 0 nothing is decided, so the ids are always looked up.
 * Returns the R verdict strings, then (entry index from 0, stored offset tag) for each id found.
 */
export const GATE_READ_LUA = `
local ranges = tonumber(ARGV[1])
local out = {}
local decided = ranges > 0
for r = 1, ranges do
  local first = tonumber(ARGV[2 * r])
  local last = tonumber(ARGV[2 * r + 1])
  local bytes = redis.call('GETRANGE', KEYS[r], first, last)
  out[r] = bytes
  if #bytes < last - first + 1 or string.find(bytes, '\\0', 1, true) then decided = false end
end
if decided then return out end
local entries = ARGV[2 * ranges + 2] or ''
local keyAt = function(at)
  local a, b, c, d = string.byte(entries, at, at + 3)
  return ((a * 256 + b) * 256 + c) * 256 + d
end
-- Entries come grouped by shard: one HMGET per run of them (at most 1000 fields, for unpack()).
local at, e = 1, 0
while at <= #entries do
  local key = keyAt(at)
  local fields, first = {}, e
  repeat
    fields[#fields + 1] = string.sub(entries, at + 4, at + 15)
    at, e = at + 16, e + 1
  until at > #entries or #fields == 1000 or keyAt(at) ~= key
  local tags = redis.call('HMGET', KEYS[key], unpack(fields))
  for j = 1, #fields do
    if tags[j] then
      out[#out + 1] = first + j - 1
      out[#out + 1] = tonumber(tags[j])
    end
  end
end
return out
`;

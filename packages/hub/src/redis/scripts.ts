import { createHash } from 'node:crypto'

/** A Lua script with its SHA-1, run with EVALSHA (and EVAL when Redis does not know it yet). */
export interface LuaScript {
  readonly source: string
  readonly sha: string
}

function defineScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') }
}

// Both scripts take the same keys: KEYS[1] the stream of every topic of the namespace, KEYS[2] the
// epoch, KEYS[3] the trim watermark (the highest entry id ever trimmed in this epoch). ARGV[1] is a
// fresh random epoch, stored only when the epoch key is missing: a new Redis, or one that lost its
// data. The watermark is what tells a subscriber exactly whether events after its position are gone.
const ENSURE_EPOCH = `
local epoch = redis.call('GET', KEYS[2])
if not epoch then
  epoch = ARGV[1]
  redis.call('SET', KEYS[2], epoch)
  redis.call('DEL', KEYS[3])
end
`

/**
 * Publishes one event: XADD with an automatic id, then the count bound (exact MAXLEN, recording
 * the last trimmed id) and the age bound (MINID, likewise).
 * ARGV: epoch candidate, maxEvents, maxAge in ms (0: none), then the entry's field/value pairs.
 * Returns { epoch, entry id }.
 */
export const PUBLISH_SCRIPT: LuaScript = defineScript(`${ENSURE_EPOCH}
local id = redis.call('XADD', KEYS[1], '*', unpack(ARGV, 4))
local maxEvents = tonumber(ARGV[2])
local length = redis.call('XLEN', KEYS[1])
if length > maxEvents then
  local dropped = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', length - maxEvents)
  redis.call('XTRIM', KEYS[1], 'MAXLEN', maxEvents)
  redis.call('SET', KEYS[3], dropped[#dropped][1])
end
local maxAge = tonumber(ARGV[3])
if maxAge > 0 then
  local cutoff = tonumber(string.match(id, '^(%d+)')) - maxAge
  local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
  if first[1] and tonumber(string.match(first[1][1], '^(%d+)')) < cutoff then
    local threshold = string.format('%d-0', cutoff)
    local newest = redis.call('XREVRANGE', KEYS[1], '(' .. threshold, '-', 'COUNT', 1)
    redis.call('XTRIM', KEYS[1], 'MINID', threshold)
    redis.call('SET', KEYS[3], newest[1][1])
  end
end
return { epoch, id }
`)

/**
 * Reads one page after a cursor, atomically with the epoch and the watermark.
 * ARGV: epoch candidate, cursor (an entry id, or '$' for the current last id), page size, then the
 * topics to keep (none: every topic). Returns { epoch, watermark or '', last scanned id, entries,
 * number scanned }.
 */
export const READ_SCRIPT: LuaScript = defineScript(`${ENSURE_EPOCH}
local watermark = redis.call('GET', KEYS[3]) or ''
if ARGV[2] == '$' then
  local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
  local id = '0-0'
  if last[1] then id = last[1][1] end
  return { epoch, watermark, id, {}, 0 }
end
local raw = redis.call('XRANGE', KEYS[1], '(' .. ARGV[2], '+', 'COUNT', tonumber(ARGV[3]))
local scanned = #raw
local last = ARGV[2]
if scanned > 0 then last = raw[scanned][1] end
local entries = raw
if #ARGV > 3 then
  local wanted = {}
  for index = 4, #ARGV do wanted[ARGV[index]] = true end
  entries = {}
  for _, entry in ipairs(raw) do
    -- The topic is always the first field ('t').
    if wanted[entry[2][2]] then entries[#entries + 1] = entry end
  end
end
return { epoch, watermark, last, entries, scanned }
`)

-- wrk script: HTTP announces with a uniformly random whitelisted info_hash, percent-encoded byte by
-- byte, a random port, left=0 with probability 0.75, numwant=30, compact=1 (the opentracker comparison's HTTP load).
-- Usage: wrk ... -s announce.lua http://127.0.0.1:PORT/announce -- WHITELIST_FILE

local hashes = {}
local peer_id = "%2DRT0100%2Dbenchbenchbe"  -- 20 bytes decoded

function init(args)
  local file = assert(io.open(args[1], "r"), "whitelist file")
  for line in file:lines() do
    local hex = line:match("^(%x+)")
    if hex and #hex == 40 then
      hashes[#hashes + 1] = hex:gsub("(%x%x)", "%%%1")
    end
  end
  file:close()
  assert(#hashes > 0, "no hashes in " .. args[1])
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
  local hash = hashes[math.random(#hashes)]
  local left = (math.random() < 0.75) and "0" or "1000"
  local path = "/announce?info_hash=" .. hash .. "&peer_id=" .. peer_id ..
    "&port=" .. math.random(1024, 65535) .. "&left=" .. left .. "&numwant=30&compact=1"
  return wrk.format("GET", path)
end

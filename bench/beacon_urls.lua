-- wrk script: cycles through the request targets listed (one per line) in the file $URLS, so
-- that every request asks about another allele.
local targets = {}
for line in io.lines(os.getenv("URLS")) do
  if #line > 0 then targets[#targets + 1] = line end
end
local i = 0
request = function()
  i = i % #targets + 1
  return wrk.format("GET", targets[i])
end

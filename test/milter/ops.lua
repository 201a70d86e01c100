-- ops.lua - recipients with known verdicts, for ops.sh.
-- Usage: miltertest -s ops.lua -D sock=SPEC -D hot=N -D good=N
--     -D private=N -D servfail=N -D want=reject|log -D fixed=reject|accept|none
-- Sends hot recipients at hot.de (bogus), good at good.de (public),
-- private at private.de (bogus, class private), servfail at servfail.de
-- (tempfail), and one at fixed.de when fixed is not "none"; checks
-- each reply: with want=log every recipient passes.
local sock = sock or "inet:18894@127.0.0.1"
local fails = 0
local n = { hot = tonumber(hot or 0), good = tonumber(good or 0),
	private = tonumber(private or 0), servfail = tonumber(servfail or 0) }

local function check(what, got, wanted)
	if got ~= wanted then
		mt.echo("FAIL: " .. what .. ": got " .. tostring(got) ..
		    " want " .. tostring(wanted))
		fails = fails + 1
	end
end

local conn = mt.connect(sock, 40, 0.25)
if conn == nil then error("cannot connect to " .. sock) end
if mt.negotiate(conn, nil, nil, nil) ~= nil then error("negotiate") end
mt.macro(conn, SMFIC_CONNECT, "j", "mx.test", "{daemon_name}", "smtpd")
if mt.conninfo(conn, "client.test", "198.51.100.7") ~= nil then
	error("conninfo failed")
end
mt.macro(conn, SMFIC_MAIL, "i", "QIDOPS", "{auth_authen}", "")

local refused = SMFIR_REPLYCODE
if want == "log" then refused = SMFIR_CONTINUE end

local function rcpt(addr, expect)
	mt.macro(conn, SMFIC_RCPT, "{rcpt_mailer}", "smtp", "{rcpt_host}",
	    string.gsub(addr, ".*@", ""), "i", "QIDOPS")
	if mt.rcptto(conn, "<" .. addr .. ">") ~= nil then
		error("rcptto failed " .. addr)
	end
	check(addr, mt.getreply(conn), expect)
end

for i = 1, n.hot do rcpt("u" .. i .. "@hot.de", refused) end
for i = 1, n.good do rcpt("u" .. i .. "@good.de", SMFIR_CONTINUE) end
for i = 1, n.private do rcpt("u" .. i .. "@private.de", refused) end
for i = 1, n.servfail do rcpt("u" .. i .. "@servfail.de", refused) end
if fixed == "reject" then rcpt("u@fixed.de", SMFIR_REPLYCODE) end
if fixed == "accept" then rcpt("u@fixed.de", SMFIR_CONTINUE) end
mt.disconnect(conn)
if fails > 0 then error(fails .. " wrong replies") end
mt.echo("ok: every reply as expected")

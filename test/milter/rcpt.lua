-- rcpt.lua - the milter protocol, driven by miltertest.
-- Usage: miltertest -s rcpt.lua -D sock=inet:PORT@127.0.0.1 -D dir=TESTDIR
-- The milter resolves through ldns-testns serving milter.data; the
-- runner (run_miltertest.sh) also checks the reply texts in its log.
-- Client 198.51.100.7 is checked; 192.0.2.10 is an exempt client.

sock = sock or "inet:18894@127.0.0.1"
dofile(dir .. "/check.lua")

local function open(client_ip)
	local conn = mt.connect(sock, 40, 0.25)
	if conn == nil then error("cannot connect to " .. sock) end
	if mt.negotiate(conn, nil, nil, nil) ~= nil then
		error("negotiate failed")
	end
	mt.macro(conn, SMFIC_CONNECT, "j", "mx.test", "{daemon_name}", "smtpd")
	if mt.conninfo(conn, "client.test", client_ip) ~= nil then
		error("conninfo failed")
	end
	-- no reply at connect: the milter asks for NR_CONN
	check("no reply wanted at connect", mt.test_option(conn, SMFIP_NR_CONN),
	    true)
	return conn
end

local function mail(conn, from)
	-- the sender check is off: MAIL is declined, its macros still come
	check("declines MAIL", mt.test_option(conn, SMFIP_NOMAIL), true)
	mt.macro(conn, SMFIC_MAIL, "i", "QID123", "{auth_authen}", "")
end

local function rcpt(conn, addr, want, mailer, host)
	mt.macro(conn, SMFIC_RCPT, "{rcpt_mailer}", mailer or "smtp",
	    "{rcpt_host}", host or string.gsub(addr, ".*@", ""), "i",
	    "QID123")
	if mt.rcptto(conn, "<" .. addr .. ">") ~= nil then
		error("rcptto failed " .. addr)
	end
	local label = "RCPT " .. addr
	if mailer then label = label .. " mailer " .. mailer end
	if host then label = label .. " host " .. host end
	check(label, mt.getreply(conn), want)
end

-- The negotiation: only what a recipient check needs.
local conn = open("198.51.100.7")
check("declines HELO", mt.test_option(conn, SMFIP_NOHELO), true)
check("declines headers", mt.test_option(conn, SMFIP_NOHDRS), true)
check("declines body", mt.test_option(conn, SMFIP_NOBODY), true)
check("keeps RCPT", mt.test_option(conn, SMFIP_NORCPT), false)
check("answers RCPT", mt.test_option(conn, SMFIP_NR_RCPT), false)

-- One message, several recipients, each judged on its own.  A reject
-- or tempfail with a text arrives as SMFIR_REPLYCODE.
mail(conn, "<sender@sender.test>")
rcpt(conn, "user@hot.de", SMFIR_REPLYCODE)
rcpt(conn, "user@good.de", SMFIR_CONTINUE)
rcpt(conn, "other@beer.com", SMFIR_REPLYCODE)
rcpt(conn, "x@mhx.com", SMFIR_REPLYCODE)
rcpt(conn, "y@private.de", SMFIR_REPLYCODE)
rcpt(conn, "z@nullmx.de", SMFIR_REPLYCODE)
rcpt(conn, "t@servfail.de", SMFIR_REPLYCODE)
rcpt(conn, "n@nx.de", SMFIR_REPLYCODE)
rcpt(conn, "again@good.de", SMFIR_CONTINUE)
rcpt(conn, "lit@[127.0.0.1]", SMFIR_REPLYCODE, "smtp", "[127.0.0.1]")
rcpt(conn, "bad@hot..de", SMFIR_REPLYCODE)
-- Skipped: not routed by MX, or exempt.
rcpt(conn, "local@hot.de", SMFIR_CONTINUE, "local")
rcpt(conn, "virtual@hot.de", SMFIR_CONTINUE, "virtual")
rcpt(conn, "relay@hot.de", SMFIR_CONTINUE, "smtp", "[relay.test]")
rcpt(conn, "postmaster@exempt.de", SMFIR_CONTINUE)
rcpt(conn, "sub@mx.exempt.de", SMFIR_CONTINUE)
-- A second message on the same connection.
mail(conn, "<>")
rcpt(conn, "second@hot.de", SMFIR_REPLYCODE)
mt.disconnect(conn)

-- An exempt client: nothing is checked.
conn = open("192.0.2.10")
mail(conn, "<sender@sender.test>")
rcpt(conn, "user@hot.de", SMFIR_CONTINUE)
mt.disconnect(conn)

done()

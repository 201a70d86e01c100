-- rcpt.lua - the milter protocol, driven by miltertest.
-- Usage: miltertest -s rcpt.lua -D sock=inet:PORT@127.0.0.1 -D dir=TESTDIR
-- The milter resolves through ldns-testns serving milter.data; the
-- runner (run_miltertest.sh) also checks the reply texts in its log.
-- Client 198.51.100.7 is checked; 192.0.2.10 is an exempt client.

sock = sock or "inet:18894@127.0.0.1"
dofile(dir .. "/check.lua")

-- version: the MTA's v macro ("Postfix 3.7.11", Sendmail "8.17.1"),
-- "" for none
local function open(client_ip, version)
	local conn = mt.connect(sock, 40, 0.25)
	if conn == nil then error("cannot connect to " .. sock) end
	if mt.negotiate(conn, nil, nil, nil) ~= nil then
		error("negotiate failed")
	end
	mt.macro(conn, SMFIC_CONNECT, "j", "mx.test", "{daemon_name}", "smtpd",
	    "v", version or "")
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

-- host: {rcpt_host} (default: the domain written); false: no such macro
local function rcpt(conn, addr, want, mailer, host)
	if host == false then
		mt.macro(conn, SMFIC_RCPT, "{rcpt_mailer}", mailer or "smtp",
		    "i", "QID123")
	else
		mt.macro(conn, SMFIC_RCPT, "{rcpt_mailer}", mailer or "smtp",
		    "{rcpt_host}", host or string.gsub(addr, ".*@", ""), "i",
		    "QID123")
	end
	if mt.rcptto(conn, "<" .. addr .. ">") ~= nil then
		error("rcptto failed " .. addr)
	end
	local label = "RCPT " .. addr
	if mailer then label = label .. " mailer " .. mailer end
	if host then label = label .. " host " .. host end
	if host == false then label = label .. " without {rcpt_host}" end
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
-- A routing domain in the local part (Postfix names it in {rcpt_host}).
rcpt(conn, "user%hot.de@good.de", SMFIR_REPLYCODE, "smtp", "hot.de")
rcpt(conn, "user%good.de@good.de", SMFIR_CONTINUE, "smtp", "good.de")
-- Skipped: not routed by MX, or exempt.
rcpt(conn, "local@hot.de", SMFIR_CONTINUE, "local")
rcpt(conn, "virtual@hot.de", SMFIR_CONTINUE, "virtual")
-- The next hop: {rcpt_host} as a name, bracketed (a smart host,
-- relayhost = [relay.test]), missing: all checked.  Only a next hop in
-- exempt-next-hops is skipped.
rcpt(conn, "named@hot.de", SMFIR_REPLYCODE, "smtp", "relay.test")
rcpt(conn, "smart@hot.de", SMFIR_REPLYCODE, "smtp", "[relay.test]")
rcpt(conn, "smart@good.de", SMFIR_CONTINUE, "smtp", "[relay.test]")
rcpt(conn, "nohost@hot.de", SMFIR_REPLYCODE, "smtp", false)
rcpt(conn, "partner@hot.de", SMFIR_CONTINUE, "smtp", "[Partner.test]")
-- relay: the relay transport of Postfix is skipped only when the MTA
-- says it is Postfix (this one did not: checked)
rcpt(conn, "relayed@hot.de", SMFIR_REPLYCODE, "relay", "hot.de")
rcpt(conn, "postmaster@exempt.de", SMFIR_CONTINUE)
rcpt(conn, "sub@mx.exempt.de", SMFIR_CONTINUE)
-- A second message on the same connection.
mail(conn, "<>")
rcpt(conn, "second@hot.de", SMFIR_REPLYCODE)
mt.disconnect(conn)

-- Postfix's relay transport (relay_domains): skipped; Sendmail's relay
-- mailer is its smart host: checked.
conn = open("198.51.100.7", "Postfix 3.7.11")
mail(conn, "<sender@sender.test>")
rcpt(conn, "relaydomain@hot.de", SMFIR_CONTINUE, "relay", "hot.de")
rcpt(conn, "smtp@hot.de", SMFIR_REPLYCODE, "smtp", "hot.de")
mt.disconnect(conn)
conn = open("198.51.100.7", "8.17.1")
mail(conn, "<sender@sender.test>")
rcpt(conn, "smarthost@hot.de", SMFIR_REPLYCODE, "relay", "[smart.test]")
rcpt(conn, "prog@hot.de", SMFIR_CONTINUE, "prog", "")
mt.disconnect(conn)

-- An exempt client: nothing is checked.
conn = open("192.0.2.10")
mail(conn, "<sender@sender.test>")
rcpt(conn, "user@hot.de", SMFIR_CONTINUE)
mt.disconnect(conn)

done()

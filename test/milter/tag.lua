-- tag.lua - action "tag" and the sender check, driven by miltertest.
-- Usage: miltertest -s tag.lua -D sock=inet:PORT@127.0.0.1 -D dir=TESTDIR
-- The milter runs with action = "tag" and check-sender = true: bogus
-- recipients pass and the message gets one X-Bogusmx header per would-be
-- reject; a bogus sender is refused at MAIL (tag mode passes it too, so
-- the second connection runs with a sender that is fine).

sock = sock or "inet:18894@127.0.0.1"
dofile(dir .. "/check.lua")

local conn = session("client.test", "198.51.100.7")
check("keeps MAIL for the sender check",
    mt.test_option(conn, SMFIP_NOMAIL), false)
mt.macro(conn, SMFIC_MAIL, "i", "QIDTAG")
if mt.mailfrom(conn, "<bounce@hot.de>") ~= nil then error("mailfrom") end
check("bogus sender passes in tag mode", mt.getreply(conn), SMFIR_CONTINUE)
for _, addr in ipairs({"user@hot.de", "user@good.de", "x@mhx.com"}) do
	mt.macro(conn, SMFIC_RCPT, "{rcpt_mailer}", "smtp", "i", "QIDTAG")
	if mt.rcptto(conn, "<" .. addr .. ">") ~= nil then error("rcptto") end
	check("RCPT " .. addr .. " passes in tag mode", mt.getreply(conn),
	    SMFIR_CONTINUE)
end
if mt.test_option(conn, SMFIP_NOHDRS) == false then
	error("the milter should decline headers")
end
if mt.eom(conn) ~= nil then error("eom failed") end
check("eom continues", mt.getreply(conn), SMFIR_CONTINUE)
check("header for hot.de", mt.eom_check(conn, MT_HDRADD, "X-Bogusmx",
    "554 5.7.1 <user@hot.de>: Recipient address rejected: MX host null.hot.de[127.0.0.1] is in loopback network (RFC 1122)"),
    true)
check("header for mhx.com", mt.eom_check(conn, MT_HDRADD, "X-Bogusmx",
    "451 4.4.3 <x@mhx.com>: Recipient address rejected: Cannot check mhx.com: the DNS resolver answers 0.0.0.0 for MX host mail.mhx.com, so it may be blocking the name; try again later"),
    true)
mt.disconnect(conn)

-- An authenticated client (exempt-authenticated = true): not checked;
-- the runner finds "skip ... authenticated client" in the log.
conn = session("auth.test", "198.51.100.8")
mt.macro(conn, SMFIC_MAIL, "i", "QIDAUTH", "{auth_authen}", "webform")
if mt.mailfrom(conn, "<form@good.de>") ~= nil then error("mailfrom") end
check("MAIL from an authenticated client", mt.getreply(conn), SMFIR_CONTINUE)
mt.macro(conn, SMFIC_RCPT, "{rcpt_mailer}", "smtp", "i", "QIDAUTH")
if mt.rcptto(conn, "<user@hot.de>") ~= nil then error("rcptto") end
check("RCPT from an authenticated client", mt.getreply(conn), SMFIR_CONTINUE)
mt.disconnect(conn)

done()

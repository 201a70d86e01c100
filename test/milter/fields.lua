-- fields.lua - a reply is built from fields: what a client puts into a
-- mailbox moves no part of it.  Driven by miltertest.
-- Usage: miltertest -s fields.lua -D sock=inet:PORT@127.0.0.1 -D dir=TESTDIR
-- The milter runs with check-sender = true and the override
-- reply bogus { text = "custom {detail}" }; the runner checks the exact
-- reply texts in its log, and the fields of a mailbox that looks like
-- fields.

sock = sock or "inet:18894@127.0.0.1"
dofile(dir .. "/check.lua")

-- A sender whose mailbox says "Recipient address rejected: ": the
-- reply still speaks of the sender, and the mailbox stays as written.
local conn = session("client.test", "198.51.100.7")
mt.macro(conn, SMFIC_MAIL, "i", "QIDFLD1")
if mt.mailfrom(conn, '<"x Recipient address rejected: y"@[127.0.0.1]>') ~= nil
then
	error("mailfrom")
end
check("bogus sender refused", mt.getreply(conn), SMFIR_REPLYCODE)
mt.disconnect(conn)

-- One session: a good sender, then a recipient whose reply is a refusal.
local function refused_rcpt(qid, rcpt, what)
	conn = session("client.test", "198.51.100.7")
	mt.macro(conn, SMFIC_MAIL, "i", qid)
	if mt.mailfrom(conn, "<sender@good.de>") ~= nil then error("mailfrom") end
	check("good sender passes", mt.getreply(conn), SMFIR_CONTINUE)
	mt.macro(conn, SMFIC_RCPT, "{rcpt_mailer}", "smtp", "i", qid)
	if mt.rcptto(conn, rcpt) ~= nil then error("rcptto") end
	check(what, mt.getreply(conn), SMFIR_REPLYCODE)
	mt.disconnect(conn)
end

-- A recipient whose mailbox says "address rejected: ": the override's
-- text goes after the real prefix, not inside the mailbox.
refused_rcpt("QIDFLD2", '<"a address rejected: b"@[127.0.0.1]>',
	"bogus recipient refused")

-- A recipient whose mailbox would plant fields in the log line: the
-- runner reads the line by its format and finds the real values.
refused_rcpt("QIDFLD3", '<"x> domain=evil.com why=y"@[127.0.0.1]>',
	"planting recipient refused")

done()

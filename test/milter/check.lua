-- check.lua - what the miltertest scripts share, loaded first with
--   dofile(dir .. "/check.lua")
-- (the runner passes -D dir=TESTDIR and -D sock=SOCKET): check()
-- prints ok or FAIL and counts the failures, done() ends the script with
-- an error if any, session() opens a negotiated session for a client.

fails = 0

function check(what, got, want)
	if got == want then
		mt.echo("ok: " .. what)
	else
		mt.echo("FAIL: " .. what .. ": got " .. tostring(got) ..
		    " want " .. tostring(want))
		fails = fails + 1
	end
end

function done()
	if fails > 0 then
		mt.echo(fails .. " failed")
		error("miltertest: " .. fails .. " failed")
	end
	mt.echo("all passed")
end

-- A new session from client name[ip], negotiated as the MTA would.
function session(name, ip)
	local conn = mt.connect(sock, 40, 0.25)
	if conn == nil then error("cannot connect to " .. sock) end
	if mt.negotiate(conn, nil, nil, nil) ~= nil then error("negotiate") end
	if mt.conninfo(conn, name, ip) ~= nil then error("conninfo failed") end
	return conn
end

/* catalog-misc.c: catalogue entries P3-INFO-*, P3-PROTO-* and P3-DOS-*. */
#include "audit/catalog.h"

const struct au_check au_cat_misc[] = {
    {
	.idx = AU_INFO01,
	.id = "P3-INFO-01",
	.mode = AU_SAFE,
	.title = "Banner and version disclosure",
	.max_sev = AU_SEV_HIGH,
	.conns = 0,
	.probe = "Parse the greetings for a product name, a version and a "
		 "distribution.",
	.rule = "FAIL info for a product name, low for an exact version, and "
		"the advisory's severity for a version with known CVEs "
		"(version-based, unconfirmed). PASS for a neutral greeting.",
	.cwe = "CWE-200",
	.cve = "",
	.refs = "OWASP WSTG-INFO-02; Metasploit pop3_version",
	.fix =
	    {
		"postie's greeting names no product.",
		"login_greeting = POP3 ready",
		"Set the greeting in the pop3d configuration (or hide it "
		"behind a proxy).",
		"serverinfo: off in imapd.conf.",
		"Use a neutral greeting.",
	    },
    },
    {
	.idx = AU_INFO02,
	.id = "P3-INFO-02",
	.mode = AU_SAFE,
	.title = "IMPLEMENTATION capability names a version",
	.max_sev = AU_SEV_LOW,
	.conns = 0,
	.probe = "IMPLEMENTATION in the CAPA replies seen (before and after "
		 "TLS; after login with --user).",
	.rule = "FAIL low if it contains a version number, info for a "
		"product name only. PASS if absent.",
	.cwe = "CWE-200",
	.cve = "",
	.refs = "RFC 2449 §6.9",
	.fix =
	    {
		"postie sends 'IMPLEMENTATION postie' after login only.",
		"Dovecot does not send IMPLEMENTATION by default.",
		"Remove IMPLEMENTATION from the capability list.",
		"serverinfo: off",
		"Do not advertise versions in CAPA.",
	    },
    },
    {
	.idx = AU_INFO03,
	.id = "P3-INFO-03",
	.mode = AU_SAFE,
	.title = "APOP timestamp leaks host details",
	.max_sev = AU_SEV_LOW,
	.conns = 0,
	.probe = "Decompose the greeting's <timestamp>: host name, process "
		 "id, counter, clock.",
	.rule = "FAIL low if it names a host or carries numeric fields; PASS "
		"if there is no timestamp.",
	.cwe = "CWE-200",
	.cve = "",
	.refs = "RFC 1939 §7",
	.fix =
	    {
		"Do not use --apop.",
		"Remove apop from auth_mechanisms.",
		"Disable APOP.",
		"allowapop: no",
		"Disable APOP or use an opaque random timestamp.",
	    },
    },
    {
	.idx = AU_INFO04,
	.id = "P3-INFO-04",
	.mode = AU_SAFE,
	.title = "NTLM information disclosure",
	.max_sev = AU_SEV_MEDIUM,
	.conns = 1,
	.probe = "AUTH NTLM with a null NTLMSSP NEGOTIATE message, decode "
		 "the CHALLENGE's target information, cancel with '*'.",
	.rule = "FAIL medium if host/domain names and an OS version are "
		"disclosed, low for names only. PASS if NTLM is refused.",
	.cwe = "CWE-200",
	.cve = "",
	.refs = "nmap pop3-ntlm-info; Nessus 108806; MS-NLMP",
	.fix =
	    {
		"postie has no NTLM.",
		"Remove ntlm from auth_mechanisms.",
		"Courier has no NTLM.",
		"Remove NTLM from sasl_mech_list.",
		"Disable NTLM (Exchange: turn off Integrated Windows "
		"Authentication for POP3).",
	    },
    },
    {
	.idx = AU_INFO05,
	.id = "P3-INFO-05",
	.mode = AU_SAFE,
	.title = "Verbose error messages",
	.max_sev = AU_SEV_LOW,
	.conns = 1,
	.probe =
	    "Every -ERR text and greeting seen during the run is scanned "
	    "for file paths, stack traces, SQL and back-end names; plus one "
	    "malformed command.",
	.rule = "FAIL low if any is found; PASS otherwise.",
	.cwe = "CWE-209",
	.cve = "",
	.refs = "OWASP WSTG-ERRH-01",
	.fix =
	    {
		"postie's replies are fixed texts.",
		"Fix the auth/passdb configuration behind the error; keep "
		"auth_verbose off for clients.",
		"Fix the authdaemon configuration.",
		"Fix the SASL configuration.",
		"Return generic errors and log the details server-side.",
	    },
    },
    {
	.idx = AU_INFO06,
	.id = "P3-INFO-06",
	.mode = AU_SAFE,
	.title = "Non-standard commands enabled",
	.max_sev = AU_SEV_LOW,
	.conns = 1,
	.probe = "HELP, XTND, SITE and DEBUG before login.",
	.rule = "FAIL low if DEBUG is accepted, info for any other +OK. PASS "
		"if all get -ERR.",
	.cwe = "CWE-489",
	.cve = "",
	.refs = "ptsrvtester HELPINFO",
	.fix =
	    {
		"postie has none of these.",
		"Dovecot has none of these.",
		"Disable extensions you do not use.",
		"Disable extensions you do not use.",
		"Disable debugging and vendor extensions.",
	    },
    },
    {
	.idx = AU_PROTO01,
	.id = "P3-PROTO-01",
	.mode = AU_SAFE,
	.title = "Transaction commands accepted before authentication",
	.max_sev = AU_SEV_CRITICAL,
	.conns = 3,
	.probe = "STAT, LIST, RETR 1 / TOP 1 0, UIDL, LAST / RSET, NOOP in "
		 "the AUTHORIZATION state, three per fresh connection. DELE is "
		 "never sent (safety policy).",
	.rule =
	    "FAIL critical if a data command (STAT, LIST, RETR, TOP, "
	    "UIDL, LAST) gets +OK; info for +OK to NOOP or RSET. PASS if all "
	    "get -ERR (disconnecting is fine).",
	.cwe = "CWE-306",
	.cve = "",
	.refs = "RFC 1939 §4",
	.fix =
	    {
		"Update postie.",
		"Update Dovecot.",
		"Update Courier.",
		"Update Cyrus.",
		"Accept transaction commands only after login.",
	    },
    },
    {
	.idx = AU_PROTO02,
	.id = "P3-PROTO-02",
	.mode = AU_SAFE,
	.title = "Over-long command lines",
	.max_sev = AU_SEV_CRITICAL,
	.conns = 15,
	.probe = "USER followed by 250, 512, 1024, 2048 and 8192 'A's, each on "
		 "its own connection (hard cap 64 KiB), with a liveness check "
		 "(new connection, greeting) after each.",
	.rule =
	    "FAIL critical if the service stops answering (possible "
	    "overflow; the run is aborted); low if a line gets no reply and "
	    "no close. PASS on -ERR, +OK or a clean close.",
	.cwe = "CWE-120 CWE-400",
	.cve = "CVE-1999-0006 CVE-2003-0264 "
	       "CVE-2006-2502",
	.refs = "RFC 2449 §4 (255 octets minimum)",
	.fix =
	    {
		"Update postie and report the crash.",
		"Update Dovecot and report the crash.",
		"Update Courier and report the crash.",
		"Update Cyrus and report the crash.",
		"Bound every line buffer; update the server.",
	    },
    },
    {
	.idx = AU_PROTO03,
	.id = "P3-PROTO-03",
	.mode = AU_SAFE,
	.title = "NUL, bare CR/LF and 8-bit input",
	.max_sev = AU_SEV_HIGH,
	.conns = 8,
	.probe = "USER a<NUL>b, USER a<CR>b, CAPA<LF>, USER <0xFF 0xFE>, a "
		 "UTF-8 user name, each on its own connection followed by CAPA "
		 "to detect desynchronisation; UTF8 if advertised.",
	.rule = "FAIL high if the service dies; medium on a missing or extra "
		"reply (desync). PASS if each line gets exactly one reply or a "
		"clean close.",
	.cwe = "CWE-20 CWE-158",
	.cve = "",
	.refs = "RFC 1939 §3; RFC 6856",
	.fix =
	    {
		"Update postie.",
		"Update Dovecot.",
		"Update Courier.",
		"Update Cyrus.",
		"Reject NUL and bare CR, answer every line exactly once.",
	    },
    },
    {
	.idx = AU_PROTO04,
	.id = "P3-PROTO-04",
	.mode = AU_SAFE,
	.title = "Pipelining consistency",
	.max_sev = AU_SEV_LOW,
	.conns = 1,
	.probe = "'CAPA\\r\\nNOOP\\r\\nQUIT\\r\\n' in one segment before "
		 "login.",
	.rule = "FAIL low unless exactly three replies arrive in order (a "
		"multi-line CAPA, one status line, +OK and close). PASS "
		"otherwise.",
	.cwe = "CWE-436",
	.cve = "",
	.refs = "RFC 2449 §6.6 (PIPELINING)",
	.fix =
	    {
		"Update postie.",
		"Update Dovecot.",
		"Update Courier.",
		"Update Cyrus.",
		"Process pipelined commands in order, one reply each.",
	    },
    },
    {
	.idx = AU_PROTO05,
	.id = "P3-PROTO-05",
	.mode = AU_CRED,
	.title = "Message-number edge cases",
	.max_sev = AU_SEV_CRITICAL,
	.conns = 3,
	.logins = 1,
	.probe = "After login: RETR 0, RETR -1, RETR 4294967296, TOP 1 -1, "
		 "LIST 99999999; the session is closed without QUIT.",
	.rule = "FAIL critical if any gets +OK (data of a message that does "
		"not exist), high if the service dies. PASS if all get -ERR.",
	.cwe = "CWE-129 CWE-190",
	.cve = "",
	.refs = "RFC 1939 §5",
	.fix =
	    {
		"Update postie.",
		"Update Dovecot.",
		"Update Courier.",
		"Update Cyrus.",
		"Parse message numbers strictly.",
	    },
    },
    {
	.idx = AU_PROTO06,
	.id = "P3-PROTO-06",
	.mode = AU_CRED,
	.title = "No exclusive maildrop lock",
	.max_sev = AU_SEV_LOW,
	.conns = 2,
	.logins = 2,
	.probe = "Two concurrent logins for the operator's account.",
	.rule = "FAIL low if both succeed silently; PASS on -ERR [IN-USE] "
		"(or another refusal) for the second.",
	.cwe = "CWE-667",
	.cve = "",
	.refs = "RFC 1939 §4; RFC 2449 IN-USE",
	.fix =
	    {
		"postie locks the maildrop.",
		"pop3_lock_session = yes",
		"Courier locks by default; check the maildir lock settings.",
		"Cyrus locks the mailbox.",
		"Hold an exclusive lock for a POP3 session.",
	    },
    },
    {
	.idx = AU_DOS01,
	.id = "P3-DOS-01",
	.mode = AU_SAFE,
	.flags = AU_CF_SLOW,
	.title = "Idle timeout",
	.max_sev = AU_SEV_MEDIUM,
	.conns = 2,
	.logins = 1,
	.probe = "A silent connection after the greeting (and after login "
		 "with --user); the time until the server closes it, capped at "
		 "--idle-max (15 min). Runs last; --fast skips it.",
	.rule =
	    "Before login: FAIL medium if not closed within 15 min, low "
	    "if after more than 5 min. After login: medium if not closed "
	    "within 15 min, info under 10 min (RFC 1939 §3). PASS otherwise; "
	    "INCONCLUSIVE if --idle-max ended the wait before a verdict.",
	.cwe = "CWE-400 CWE-613",
	.cve = "",
	.refs = "RFC 1939 §3",
	.fix =
	    {
		"--prelogin-timeout 60 and --idle-timeout 600 (defaults).",
		"Pre-login timeout is fixed at 3 min; put a proxy in front "
		"if longer.",
		"Check the pop3d timeout settings.",
		"poptimeout: 10 in imapd.conf.",
		"Close idle pre-login connections within minutes.",
	    },
    },
    {
	.idx = AU_DOS02,
	.id = "P3-DOS-02",
	.mode = AU_INTRUSIVE,
	.flags = AU_CF_SLOW,
	.title = "Slow drip resets the idle timer",
	.max_sev = AU_SEV_MEDIUM,
	.conns = 1,
	.probe = "One byte without CRLF at intervals shorter than the idle "
		 "timeout measured by P3-DOS-01, until past that timeout.",
	.rule =
	    "FAIL medium if the connection is still open after the "
	    "pre-login idle timeout. PASS if closed. INCONCLUSIVE without a "
	    "measured timeout.",
	.cwe = "CWE-400",
	.cve = "",
	.refs = "Slowloris class",
	.fix =
	    {
		"postie limits a partial line to 30 s.",
		"Limit connections per IP with a firewall.",
		"Limit connections per IP (MAXPERIP).",
		"Limit connections per IP.",
		"Bound the time to complete a line, not only idle time.",
	    },
    },
    {
	.idx = AU_DOS03,
	.id = "P3-DOS-03",
	.mode = AU_INTRUSIVE,
	.title = "Concurrent unauthenticated connections per IP",
	.max_sev = AU_SEV_LOW,
	.conns = 80,
	.probe = "Up to 80 simultaneous connections (at most 20/s), counting "
		 "greetings and refusals.",
	.rule = "FAIL low if all are greeted (no per-IP limit up to the "
		"cap). PASS if the server refuses or closes some; the knee is "
		"reported.",
	.cwe = "CWE-770",
	.cve = "",
	.refs = "reference/security.md §2.5",
	.fix =
	    {
		"postie limits connections per source (50).",
		"Limit per-IP connections with a firewall; "
		"service pop3-login { process_limit / client_limit }.",
		"MAXPERIP in /etc/courier/pop3d.",
		"maxchild and maxforkrate in cyrus.conf.",
		"Limit concurrent connections per source address.",
	    },
    },
    {
	.idx = AU_DOS04,
	.id = "P3-DOS-04",
	.mode = AU_INTRUSIVE,
	.title = "Connection-rate limit",
	.max_sev = AU_SEV_MEDIUM,
	.conns = 60,
	.probe = "Connect, read the greeting and close at up to 20 "
		 "connections/s for 3 s.",
	.rule = "FAIL medium if the service degrades (timeouts, or a median "
		"greeting latency over 200 ms and 5 times the first); info if "
		"every connection is served without a limit; PASS if a limit "
		"refuses some (the knee is reported).",
	.cwe = "CWE-770",
	.cve = "",
	.refs = "reference/security.md §2.5",
	.fix =
	    {
		"Use a firewall rate limit (nftables limit rate).",
		"Use a firewall rate limit.",
		"Use a firewall rate limit.",
		"maxforkrate in cyrus.conf.",
		"Rate-limit new connections per source.",
	    },
    },
    {
	.idx = AU_DOS05,
	.id = "P3-DOS-05",
	.mode = AU_INTRUSIVE,
	.flags = AU_CF_NEEDS_CRED,
	.title = "Authenticated connection limit",
	.max_sev = AU_SEV_LOW,
	.conns = 11,
	.logins = 11,
	.probe = "Up to 11 concurrent logins for the operator's account.",
	.rule = "FAIL low if all 11 succeed; PASS if a limit or lock refuses "
		"some with -ERR.",
	.cwe = "CWE-770",
	.cve = "",
	.refs = "RFC 2449 IN-USE, SYS/TEMP",
	.fix =
	    {
		"postie allows one session per maildrop.",
		"mail_max_userip_connections = 10 (or lower).",
		"MAXPERIP.",
		"Cyrus locks the mailbox.",
		"Limit sessions per user.",
	    },
    },
};

const size_t au_cat_misc_n = sizeof(au_cat_misc) / sizeof(au_cat_misc[0]);

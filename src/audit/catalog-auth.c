/* catalog-auth.c: catalogue entries P3-AUTH-01 .. P3-AUTH-10. */
#include "audit/catalog.h"

const struct au_check au_cat_auth[] = {
    {
	.idx = AU_AUTH01,
	.id = "P3-AUTH-01",
	.mode = AU_SAFE,
	.title = "APOP offered",
	.max_sev = AU_SEV_HIGH,
	.conns = 2,
	.probe = "Look for an RFC 1939 <timestamp> in the greeting of two "
		 "connections (cleartext and TLS).",
	.rule = "FAIL medium if the cleartext greeting offers APOP, low if "
		"only the TLS greeting does, high if two greetings reuse the "
		"same timestamp (replay). PASS without a timestamp.",
	.cwe = "CWE-327 CWE-328",
	.cve = "CVE-2007-1558",
	.refs = "RFC 1939 §7; RFC 6151; Leurent, FSE 2007",
	.fix =
	    {
		"Do not use --apop.",
		"Remove apop from auth_mechanisms.",
		"Remove APOP support (POP3AUTH without APOP; no "
		"plaintext-equivalent secrets).",
		"allowapop: no in imapd.conf.",
		"Disable APOP; use SASL over TLS instead.",
	    },
    },
    {
	.idx = AU_AUTH02,
	.id = "P3-AUTH-02",
	.mode = AU_SAFE,
	.title = "Weak SASL mechanisms",
	.max_sev = AU_SEV_MEDIUM,
	.conns = 2,
	.probe = "SASL mechanisms from CAPA before and after TLS and from the "
		 "AUTH listing without arguments.",
	.rule =
	    "FAIL medium for NTLM; low for CRAM-MD5 or DIGEST-MD5. "
	    "PLAIN/LOGIN before TLS are rated by P3-TLS-03 and ANONYMOUS by "
	    "P3-AUTH-09. PASS otherwise.",
	.cwe = "CWE-327 CWE-256",
	.cve = "",
	.refs = "RFC 6331 (DIGEST-MD5 historic); RFC 2195; RFC 4616",
	.fix =
	    {
		"postie offers SCRAM-SHA-256(-PLUS), PLAIN and LOGIN inside "
		"TLS only, and CRAM-MD5 only with --cram-md5: do not use "
		"it. It has no DIGEST-MD5 or NTLM.",
		"auth_mechanisms = plain login (add scram-sha-256 if "
		"clients support it).",
		"POP3AUTH_TLS=\"LOGIN PLAIN\" and no CRAM-* in POP3AUTH.",
		"sasl_mech_list: PLAIN LOGIN SCRAM-SHA-256",
		"Offer PLAIN/LOGIN over TLS or SCRAM; drop CRAM-MD5, "
		"DIGEST-MD5 and NTLM.",
	    },
    },
    {
	.idx = AU_AUTH03,
	.id = "P3-AUTH-03",
	.mode = AU_SAFE,
	.title = "AUTH command robustness",
	.max_sev = AU_SEV_HIGH,
	.conns = 6,
	.logins = 1,
	.probe =
	    "AUTH FOO; AUTH PLAIN + '!!!notbase64'; AUTH PLAIN + '*'; "
	    "AUTH PLAIN with a 300-octet initial response for p3audit-<r>; "
	    "CAPA after each to see that the session is usable; then a "
	    "liveness check.",
	.rule = "FAIL high on +OK, a hang or a dead service; PASS if every "
		"step gets -ERR (or a clean continuation / close).",
	.cwe = "CWE-20 CWE-287",
	.cve = "",
	.refs = "RFC 5034 §4 (255-octet initial response, '*' cancels)",
	.fix =
	    {
		"Update postie.",
		"Update Dovecot.",
		"Update Courier.",
		"Update Cyrus SASL and Cyrus.",
		"Reject unknown mechanisms, bad base64 and '*' with -ERR.",
	    },
    },
    {
	.idx = AU_AUTH04,
	.id = "P3-AUTH-04",
	.mode = AU_SAFE,
	.title = "User enumeration by response",
	.max_sev = AU_SEV_MEDIUM,
	.conns = 4,
	.logins = 4,
	.probe =
	    "USER, PASS <wrong> and AUTH PLAIN with wrong credentials "
	    "for an invented p3audit-<r> user and, if given (--valid-user or "
	    "--user), a known-valid user; replies, response codes and "
	    "disconnects are compared.",
	.rule =
	    "FAIL medium on any difference between the invented and the "
	    "valid user, or if USER rejects the invented name. PASS if they "
	    "are identical. INCONCLUSIVE without a known-valid user when USER "
	    "accepts any name.",
	.cwe = "CWE-204 CWE-203",
	.cve = "",
	.refs = "OWASP WSTG-IDNT-04; RFC 1939 §7 USER examples; RFC 3206",
	.fix =
	    {
		"postie answers identically; update postie.",
		"Keep the default auth failure messages.",
		"Use the same error text for unknown users and bad passwords.",
		"Use the same error text for unknown users and bad passwords.",
		"Answer +OK to any USER and use one failure text.",
	    },
    },
    {
	.idx = AU_AUTH05,
	.id = "P3-AUTH-05",
	.mode = AU_SAFE,
	.title = "User enumeration by timing",
	.max_sev = AU_SEV_MEDIUM,
	.conns = 10,
	.logins = 10,
	.probe = "Interleaved USER/PASS failures for the known-valid user "
		 "and invented users, each on a fresh connection: 5 each in a "
		 "SAFE run, 10 each with --intrusive. Needs --valid-user or "
		 "--user.",
	.rule =
	    "FAIL low (medium with 10+ samples each) if the medians "
	    "differ by more than 3 x MAD and 50 ms. Small samples are "
	    "indicative only. PASS otherwise; SKIPPED without a valid user.",
	.cwe = "CWE-208",
	.cve = "",
	.refs = "OWASP WSTG-IDNT-04",
	.fix =
	    {
		"postie hashes a dummy password for unknown users.",
		"Use auth_failure_delay and a passdb that costs the same for "
		"unknown users.",
		"Use an authdaemon module with constant-time lookups.",
		"Use saslauthd/pwcheck with a dummy hash for unknown users.",
		"Spend the same time on unknown users as on bad passwords.",
	    },
    },
    {
	.idx = AU_AUTH06,
	.id = "P3-AUTH-06",
	.mode = AU_INTRUSIVE,
	.title = "Brute-force resistance (rate, penalty, parallelism)",
	.max_sev = AU_SEV_HIGH,
	.conns = 17,
	.logins = 17,
	.probe =
	    "5 sequential USER/PASS failures for an invented user, then "
	    "4 parallel connections x 3 failures; delays after each failure, "
	    "failures per connection and guesses per minute are measured.",
	.rule = "FAIL high at >= 60 guesses/min; medium if delays do not "
		"grow; low if parallel connections bypass a per-connection "
		"delay. PASS otherwise.",
	.cwe = "CWE-307",
	.cve = "",
	.refs = "OWASP WSTG-ATHN-03; RFC 2449 LOGIN-DELAY",
	.fix =
	    {
		"Keep postie's failure delay and per-source authentication "
		"limit on.",
		"auth_failure_delay; auth_policy_server_url (weakforced) or "
		"fail2ban.",
		"Use fail2ban on the authdaemon log; MAXPERIP.",
		"Use fail2ban on the pop3d log.",
		"Delay failures progressively per source and account; use "
		"fail2ban.",
	    },
    },
    {
	.idx = AU_AUTH07,
	.id = "P3-AUTH-07",
	.mode = AU_INTRUSIVE,
	.flags = AU_CF_NEEDS_CRED,
	.title = "Lockout that enables denial of service",
	.max_sev = AU_SEV_MEDIUM,
	.conns = 7,
	.logins = 6,
	.probe = "5 failures for the canary account (--user with "
		 "--lockout-canary) from the source address, then the correct "
		 "password from --alt-source-ip (127.0.0.3 for loopback).",
	.rule = "FAIL medium if the valid login from the second address is "
		"refused; PASS if it succeeds. Needs a canary account.",
	.cwe = "CWE-645",
	.cve = "",
	.refs = "OWASP WSTG-ATHN-03",
	.fix =
	    {
		"postie throttles per source, never locks accounts.",
		"Throttle per IP (auth penalty), do not lock accounts.",
		"Throttle per IP; do not lock accounts.",
		"Throttle per IP; do not lock accounts.",
		"Throttle by source rather than locking accounts.",
	    },
    },
    {
	.idx = AU_AUTH08,
	.id = "P3-AUTH-08",
	.mode = AU_INTRUSIVE,
	.title = "Default or weak credentials",
	.max_sev = AU_SEV_CRITICAL,
	.conns = 20,
	.logins = 20,
	.probe =
	    "At most 20 built-in weak passwords for the user names the "
	    "operator supplies (--valid-user / --user), over TLS, honouring "
	    "delays, stopping at the first success.",
	.rule = "FAIL critical on any success (only a hash of the password "
		"is reported unless --show-secrets). PASS otherwise.",
	.cwe = "CWE-521 CWE-1392",
	.cve = "",
	.refs = "OWASP WSTG-ATHN-02, WSTG-ATHN-07",
	.fix =
	    {
		"postie user add enforces pwquality; reset the password.",
		"Reset the password; enforce a password policy in the passdb.",
		"Reset the password.",
		"Reset the password.",
		"Reset the password and enforce a password policy.",
	    },
    },
    {
	.idx = AU_AUTH09,
	.id = "P3-AUTH-09",
	.mode = AU_SAFE,
	.title = "Anonymous or guest access",
	.max_sev = AU_SEV_HIGH,
	.conns = 2,
	.logins = 2,
	.probe = "AUTH ANONYMOUS (trace p3audit@invalid) and USER anonymous "
		 "/ PASS p3audit@invalid, once each.",
	.rule = "FAIL high if either logs in; PASS otherwise.",
	.cwe = "CWE-287 CWE-306",
	.cve = "",
	.refs = "RFC 4505; ptsrvtester ANON",
	.fix =
	    {
		"postie has no anonymous login; remove an 'anonymous' user "
		"from the users file.",
		"Remove anonymous from auth_mechanisms and the passdb.",
		"Remove the anonymous account.",
		"Remove ANONYMOUS from sasl_mech_list.",
		"Disable anonymous and guest logins.",
	    },
    },
    {
	.idx = AU_AUTH10,
	.id = "P3-AUTH-10",
	.mode = AU_CRED,
	.title = "Real login possible over an unprotected channel",
	.max_sev = AU_SEV_HIGH,
	.conns = 2,
	.logins = 1,
	.probe =
	    "The auditor never sends the operator's password before TLS "
	    "unless --allow-cleartext-creds; with it, a USER/PASS login on "
	    "the cleartext port.",
	.rule = "FAIL high if the real login succeeds in cleartext. PASS if "
		"it is refused, or if cleartext authentication is refused "
		"(P3-TLS-03 passed). SKIPPED if the only path is cleartext and "
		"the flag is absent.",
	.cwe = "CWE-319 CWE-523",
	.cve = "",
	.refs = "RFC 8314; RFC 2595 §2.3",
	.fix =
	    {
		"Do not use --allow-plaintext-auth.",
		"disable_plaintext_auth = yes; ssl = required.",
		"POP3_TLS_REQUIRED=1.",
		"allowplaintext: no.",
		"Require TLS before any authentication.",
	    },
    },
};

const size_t au_cat_auth_n = sizeof(au_cat_auth) / sizeof(au_cat_auth[0]);

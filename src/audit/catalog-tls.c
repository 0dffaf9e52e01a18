/* catalog-tls.c: catalogue entries P3-TLS-01 .. P3-TLS-12 (transport). */
#include "audit/catalog.h"

const struct au_check au_cat_tls[] = {
    {
	.idx = AU_TLS01,
	.id = "P3-TLS-01",
	.mode = AU_SAFE,
	.title = "No implicit TLS (pop3s, port 995)",
	.max_sev = AU_SEV_MEDIUM,
	.conns = 1,
	.probe =
	    "Connect to the implicit-TLS endpoint (pop3s URL, or port 995 "
	    "of the host), run a TLS handshake and require the +OK greeting "
	    "inside TLS.",
	.rule =
	    "PASS if a greeting arrives inside TLS. Otherwise FAIL: low if "
	    "STLS is offered and cleartext authentication is refused, medium "
	    "otherwise.",
	.cwe = "CWE-319",
	.cve = "",
	.refs = "RFC 8314 §3.3, §4; NO STARTTLS (USENIX Security 2021)",
	.fix =
	    {
		"Add --listen-tls ADDR:995 (with --cert/--key).",
		"Enable the pop3s listener: service pop3-login { inet_listener "
		"pop3s { port = 995  ssl = yes } }.",
		"Run pop3d-ssl (POP3DSSLSTART=YES in /etc/courier/pop3d-ssl).",
		"Add 'pop3s cmd=\"pop3d -s\" listen=\"pop3s\"' to cyrus.conf.",
		"Offer POP3 over implicit TLS on port 995 (RFC 8314) and "
		"prefer it over STLS.",
	    },
    },
    {
	.idx = AU_TLS02,
	.id = "P3-TLS-02",
	.mode = AU_SAFE,
	.title = "Cleartext only (no STLS and no implicit TLS)",
	.max_sev = AU_SEV_HIGH,
	.conns = 1,
	.probe = "CAPA on the cleartext port, then STLS even if it is not "
		 "advertised; combined with the P3-TLS-01 result.",
	.rule = "FAIL high if STLS is refused and there is no implicit-TLS "
		"endpoint; PASS otherwise.",
	.cwe = "CWE-319",
	.cve = "",
	.refs = "RFC 2595 §4; RFC 8314",
	.fix =
	    {
		"Give postie serve --cert and --key (STLS) and --listen-tls.",
		"Set ssl = required with ssl_cert/ssl_key in 10-ssl.conf.",
		"Set POP3DSTARTTLS=YES and TLS_CERTFILE in "
		"/etc/courier/pop3d; start pop3d-ssl.",
		"Set tls_server_cert and tls_server_key in imapd.conf; add "
		"a pop3s service.",
		"Configure a certificate and enable STLS and port 995.",
	    },
    },
    {
	.idx = AU_TLS03,
	.id = "P3-TLS-03",
	.mode = AU_SAFE,
	.title = "Cleartext authentication accepted before TLS",
	.max_sev = AU_SEV_HIGH,
	.conns = 2,
	.logins = 1,
	.probe =
	    "On the cleartext port: CAPA (USER / SASL PLAIN LOGIN "
	    "listed?), USER p3audit-<r> and, only if accepted, PASS with a "
	    "random password; AUTH PLAIN and cancel with '*'. No real "
	    "password is ever sent.",
	.rule = "FAIL high if USER/PASS or AUTH PLAIN/LOGIN proceed without "
		"TLS; FAIL medium if only challenge-response mechanisms (APOP, "
		"CRAM-MD5, DIGEST-MD5) are allowed; PASS if all are refused. "
		"INCONCLUSIVE when the client and server address are the same "
		"(servers such as Dovecot treat that as secure): use "
		"--source-ip.",
	.cwe = "CWE-319 CWE-523",
	.cve = "",
	.refs = "RFC 2595 §2.3; RFC 8314; OWASP WSTG-ATHN-01; Nessus 15855; "
		"OpenVAS 1.3.6.1.4.1.25623.1.0.15855",
	.fix =
	    {
		"Do not use --allow-plaintext-auth (the default refuses USER, "
		"PASS and AUTH before TLS).",
		"disable_plaintext_auth = yes (2.3) / auth_allow_cleartext = "
		"no (2.4); check login_trusted_networks.",
		"POP3_TLS_REQUIRED=1 in /etc/courier/pop3d; list only "
		"challenge-response mechanisms in POP3AUTH.",
		"allowplaintext: no in imapd.conf.",
		"Refuse USER/PASS and AUTH PLAIN/LOGIN until TLS is active.",
	    },
    },
    {
	.idx = AU_TLS04,
	.id = "P3-TLS-04",
	.mode = AU_SAFE,
	.title = "STLS plaintext command injection",
	.max_sev = AU_SEV_HIGH,
	.conns = 1,
	.probe =
	    "Send 'STLS\\r\\nCAPA\\r\\n' in one write, complete the TLS "
	    "handshake after +OK, then read for 2 s without sending anything.",
	.rule =
	    "FAIL high if any reply arrives inside TLS (the buffered "
	    "plaintext CAPA ran after the upgrade). PASS on silence or if the "
	    "handshake fails because the server fed the buffered bytes to "
	    "TLS. SKIPPED without STLS.",
	.cwe = "CWE-74",
	.cve = "CVE-2011-0411 CVE-2021-38084 CVE-2020-29548 "
	       "CVE-2021-37844 CVE-2020-29547 CVE-2021-33487",
	.refs = "RFC 2595 §4; Nessus 52610; testssl.sh --starttls-injection; "
		"NO STARTTLS (USENIX Security 2021)",
	.fix =
	    {
		"postie discards input buffered before STLS; update postie if "
		"this fails.",
		"Dovecot is not affected; update to a supported release.",
		"Update Courier (CVE-2021-38084) or disable STLS and use "
		"pop3d-ssl on 995 only.",
		"Update Cyrus (CVE-2011-1926 fixed in 2.4.7).",
		"Discard the input buffer when STLS is accepted; update the "
		"server or use implicit TLS only.",
	    },
    },
    {
	.idx = AU_TLS05,
	.id = "P3-TLS-05",
	.mode = AU_SAFE,
	.title = "Pre-TLS state carried across STLS (session fixation)",
	.max_sev = AU_SEV_MEDIUM,
	.conns = 2,
	.logins = 1,
	.probe = "USER p3audit-<r> in cleartext, STLS, handshake, then PASS "
		 "<random> without a new USER. Control: PASS without USER on a "
		 "fresh TLS session.",
	.rule =
	    "PASS if the PASS inside TLS gets the same 'no user' reply as "
	    "the control (or USER was refused before TLS). FAIL medium if an "
	    "authentication attempt ran for the pre-TLS USER.",
	.cwe = "CWE-384",
	.cve = "CVE-2021-37845 CVE-2021-37846",
	.refs = "RFC 2595 §4; NO STARTTLS session fixation",
	.fix =
	    {
		"postie forgets USER on STLS; update postie if this fails.",
		"Set disable_plaintext_auth = yes so that no state exists "
		"before TLS; update Dovecot.",
		"Set POP3_TLS_REQUIRED=1; update Courier.",
		"Set allowplaintext: no; update Cyrus.",
		"Reset all authentication state when TLS starts.",
	    },
    },
    {
	.idx = AU_TLS06,
	.id = "P3-TLS-06",
	.mode = AU_SAFE,
	.title = "Capability hygiene around STLS",
	.max_sev = AU_SEV_LOW,
	.conns = 1,
	.probe = "CAPA before STLS, CAPA after the handshake, then a second "
		 "STLS inside TLS.",
	.rule = "FAIL low if STLS is still advertised after TLS or a second "
		"STLS is accepted; PASS otherwise (the capability diff is "
		"evidence). SKIPPED without STLS.",
	.cwe = "",
	.cve = "",
	.refs = "RFC 2595 §4 (clients must discard cached capabilities)",
	.fix =
	    {
		"postie hides STLS once TLS is active; update postie.",
		"Update Dovecot.",
		"Update Courier.",
		"Update Cyrus.",
		"Stop advertising and accepting STLS once TLS is active.",
	    },
    },
    {
	.idx = AU_TLS07,
	.id = "P3-TLS-07",
	.mode = AU_CRED,
	.title = "STLS accepted after authentication",
	.max_sev = AU_SEV_MEDIUM,
	.conns = 2,
	.logins = 1,
	.probe = "Log in with the operator's account, then send STLS. On a "
		 "cleartext session only with --allow-cleartext-creds.",
	.rule = "FAIL medium if STLS gets +OK after login. PASS if refused "
		"on a cleartext session, or if the server refuses cleartext "
		"login altogether (P3-TLS-03 passed). INCONCLUSIVE otherwise.",
	.cwe = "CWE-696",
	.cve = "",
	.refs = "RFC 2595 §4 (STLS only in AUTHORIZATION state)",
	.fix =
	    {
		"postie refuses STLS after login; update postie.",
		"Update Dovecot.",
		"Update Courier.",
		"Update Cyrus.",
		"Accept STLS only in the AUTHORIZATION state.",
	    },
    },
    {
	.idx = AU_TLS08,
	.id = "P3-TLS-08",
	.mode = AU_SAFE,
	.title = "Deprecated TLS protocol versions",
	.max_sev = AU_SEV_HIGH,
	.conns = 14,
	.probe =
	    "One handshake per version (SSLv2, SSLv3, TLS 1.0, 1.1, 1.2 "
	    "with raw ClientHellos; TLS 1.3 with OpenSSL) on every TLS path "
	    "(implicit TLS and STLS).",
	.rule = "FAIL high for SSLv2/SSLv3 or if neither TLS 1.2 nor 1.3 "
		"works; FAIL medium for TLS 1.0/1.1; PASS otherwise.",
	.cwe = "CWE-326 CWE-327",
	.cve = "CVE-2014-3566",
	.refs = "RFC 8996; RFC 9325 (BCP 195); OWASP WSTG-CRYP-01",
	.fix =
	    {
		"postie serve only offers TLS 1.2 and 1.3.",
		"ssl_min_protocol = TLSv1.2",
		"TLS_PROTOCOL=\"TLSv1.2+\" (OpenSSL build) or TLS_PRIORITY "
		"without VERS-TLS1.0/1.1 (GnuTLS build).",
		"tls_versions: tls1_2 tls1_3 in imapd.conf.",
		"Allow TLS 1.2 and 1.3 only.",
	    },
    },
    {
	.idx = AU_TLS09,
	.id = "P3-TLS-09",
	.mode = AU_SAFE,
	.title = "Weak cipher suites, no forward secrecy, no server order",
	.max_sev = AU_SEV_HIGH,
	.conns = 48,
	.probe = "Raw ClientHellos per TLS path and version offering one "
		 "category at a time (NULL, anonymous, EXPORT, RC4, DES/3DES, "
		 "forward-secret only, AEAD only) and the full list in two "
		 "orders.",
	.rule =
	    "FAIL high for NULL, anonymous, EXPORT, RC4, DES or 3DES; "
	    "medium if no forward-secret suite is accepted; low if only CBC "
	    "suites exist; info if the client's order wins. PASS otherwise.",
	.cwe = "CWE-326 CWE-327",
	.cve = "CVE-2016-2183 CVE-2015-0204",
	.refs = "RFC 7465; RFC 9325; nmap ssl-enum-ciphers",
	.fix =
	    {
		"postie uses OpenSSL's TLS 1.2+ defaults with server order.",
		"ssl_cipher_list = "
		"ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM; "
		"ssl_prefer_server_ciphers = yes",
		"TLS_CIPHER_LIST (OpenSSL) or TLS_PRIORITY (GnuTLS) without "
		"NULL, aNULL, EXPORT, RC4, 3DES.",
		"tls_ciphers: ECDHE+AESGCM:ECDHE+CHACHA20; "
		"tls_prefer_server_ciphers: 1",
		"Offer only ECDHE/DHE with AES-GCM or ChaCha20-Poly1305 and "
		"enforce server order.",
	    },
    },
    {
	.idx = AU_TLS10,
	.id = "P3-TLS-10",
	.mode = AU_SAFE,
	.title = "Certificate problems",
	.max_sev = AU_SEV_HIGH,
	.conns = 0,
	.probe = "The leaf certificate and chain from the TLS handshakes, "
		 "verified against the system store plus --ca, with the host "
		 "name as typed (SAN only).",
	.rule =
	    "FAIL high if expired or not yet valid, untrusted or "
	    "self-signed, or the name does not match; medium for RSA < 2048, "
	    "EC < 256 bits or a SHA-1/MD5 signature; low if it expires "
	    "within 30 days or has no SAN. PASS otherwise.",
	.cwe = "CWE-295 CWE-297 CWE-298 CWE-326",
	.cve = "",
	.refs = "RFC 7817; RFC 6125; RFC 5280",
	.fix =
	    {
		"Give --cert a CA-issued chain whose SAN names the host.",
		"ssl_cert = </path/fullchain.pem (ACME or CA-issued).",
		"Point TLS_CERTFILE at a CA-issued chain.",
		"Point tls_server_cert at a CA-issued chain.",
		"Use a CA-issued RSA-2048+/EC-256+ certificate with SHA-256 "
		"and a SAN for every name clients use; renew early.",
	    },
    },
    {
	.idx = AU_TLS11,
	.id = "P3-TLS-11",
	.mode = AU_SAFE,
	.title = "Inconsistent TLS between implicit TLS and STLS",
	.max_sev = AU_SEV_HIGH,
	.conns = 0,
	.probe = "Compare the P3-TLS-08/09/10 results of the two TLS paths.",
	.rule = "FAIL with the severity of the weaker path's finding if the "
		"paths differ; PASS if they agree; SKIPPED with one path.",
	.cwe = "CWE-326",
	.cve = "",
	.refs = "reference/security.md §2.1",
	.fix =
	    {
		"postie uses one TLS context for both listeners.",
		"Do not override ssl_* settings inside a single listener or "
		"protocol block.",
		"Keep /etc/courier/pop3d and pop3d-ssl TLS_* settings equal.",
		"Do not set per-service tls_* overrides (pop3s_tls_...).",
		"Use the same TLS settings on every listener.",
	    },
    },
    {
	.idx = AU_TLS12,
	.id = "P3-TLS-12",
	.mode = AU_SAFE,
	.title = "Known TLS implementation weaknesses (renegotiation, "
		 "heartbeat)",
	.max_sev = AU_SEV_MEDIUM,
	.conns = 0,
	.probe =
	    "ServerHello extensions (renegotiation_info, heartbeat) and "
	    "one client-initiated renegotiation with TLS 1.2 (connections "
	    "counted under P3-TLS-08). Heartbleed, CCS injection and ROBOT "
	    "are not exercised: use testssl.sh.",
	.rule = "FAIL medium without secure renegotiation (RFC 5746); low "
		"if client-initiated renegotiation is accepted; info if the "
		"heartbeat extension is enabled. PASS otherwise.",
	.cwe = "CWE-310",
	.cve = "CVE-2009-3555 CVE-2011-1473 CVE-2014-0160",
	.refs = "RFC 5746; RFC 6520; testssl.sh",
	.fix =
	    {
		"Update OpenSSL and postie.",
		"Update OpenSSL; Dovecot has no renegotiation switch.",
		"Update OpenSSL/GnuTLS.",
		"Update OpenSSL.",
		"Update the TLS library; disable client renegotiation and "
		"the heartbeat extension.",
	    },
    },
};

const size_t au_cat_tls_n = sizeof(au_cat_tls) / sizeof(au_cat_tls[0]);

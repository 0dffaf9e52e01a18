/* conf.c: the scanner's configuration: trusted authserv-ids, and domains
 * the user has mail from (whose look-alikes are reported). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "scan/idn.h"
#include "scan/lists.h"
#include "scan/scan.h"
#include "scan/url.h"

int
scan_conf_add_trusted(struct scan_conf *c, const char *id)
{
	if (id == NULL || *id == '\0' || c->ntrusted >= SCAN_TRUSTED_MAX ||
	    strlen(id) >= SCAN_AR_TOKEN_MAX)
		return -1;
	c->trusted[c->ntrusted++] = g_ascii_strdown(id, -1);
	return 0;
}

bool
scan_conf_trusts(const struct scan_conf *c, const char *id)
{
	size_t i;

	for (i = 0; i < c->ntrusted; i++)
		if (g_ascii_strcasecmp(c->trusted[i], id) == 0)
			return true;
	return false;
}

int
scan_conf_add_known(struct scan_conf *c, const char *domain)
{
	char u[4 * SCAN_HOST_MAX + 1], sk[4 * SCAN_HOST_MAX + 1];
	gchar *lc;
	const char *org;
	int rc = -1;

	if (c->known == NULL) {
		c->known = g_hash_table_new_full(
		    g_str_hash, g_str_equal, g_free, g_free);
		c->known_orgs = g_hash_table_new_full(
		    g_str_hash, g_str_equal, g_free, NULL);
	}
	if (g_hash_table_size(c->known_orgs) >= SCAN_KNOWN_MAX ||
	    strlen(domain) > SCAN_HOST_MAX || *domain == '\0')
		return -1;
	lc = g_utf8_strdown(domain, -1);
	if (idn_to_unicode(lc, u, sizeof(u)) == 0) {
		org = url_org_domain(u);
		if (idn_skeleton(org, sk, sizeof(sk)) == 0) {
			if (!g_hash_table_contains(c->known, sk))
				g_hash_table_insert(
				    c->known, g_strdup(sk), g_strdup(org));
			g_hash_table_add(c->known_orgs, g_strdup(org));
			rc = 0;
		}
	}
	g_free(lc);
	return rc;
}

void
scan_conf_learn_maildir(struct scan_conf *c, const struct mdl *l)
{
	char path[STORE_PATH_MAX];
	struct mime_msg *m;
	const char *why, *at;
	char *from;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (mdl_path(l, i, path, sizeof(path)) < 0 ||
		    mime_msg_open_headers(path, &m, &why) < 0)
			continue;
		from = mime_from_addr(m);
		at = from != NULL ? strrchr(from, '@') : NULL;
		if (at != NULL && at[1] != '\0' &&
		    scan_conf_add_known(c, at + 1) < 0 &&
		    g_hash_table_size(c->known_orgs) >= SCAN_KNOWN_MAX) {
			g_free(from);
			mime_msg_free(&m);
			break;
		}
		g_free(from);
		mime_msg_free(&m);
	}
}

const char *
scan_conf_lookalike(const struct scan_conf *c, const char *uhost)
{
	char sk[4 * SCAN_HOST_MAX + 1], bs[4 * SCAN_HOST_MAX + 1];
	const char *org = url_org_domain(uhost), *k, *b;
	size_t i;

	if (idn_skeleton(org, sk, sizeof(sk)) < 0)
		return NULL;
	if (c->known != NULL && !g_hash_table_contains(c->known_orgs, org) &&
	    (k = g_hash_table_lookup(c->known, sk)) != NULL)
		return k;
	for (i = 0; (b = scan_list_get(SL_BRAND_DOMAIN, i)) != NULL; i++)
		if (idn_skeleton(b, bs, sizeof(bs)) == 0 &&
		    strcmp(bs, sk) == 0 && strcmp(b, org) != 0)
			return b;
	return NULL;
}

int
scan_conf_load(struct scan_conf *c, const char *path)
{
	char line[CONF_LINE_MAX], *k, *v, *e;
	unsigned n = 0;
	int rc = 0;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		if (++n > SCAN_CONF_LINES_MAX ||
		    (strchr(line, '\n') == NULL && !feof(f))) {
			rc = -1;
			break;
		}
		k = line + strspn(line, " \t");
		if (*k == '#' || *k == '\n' || *k == '\0')
			continue;
		v = k + strcspn(k, " \t\n");
		if (*v != '\0')
			*v++ = '\0';
		v += strspn(v, " \t");
		e = v + strcspn(v, " \t\n#");
		*e = '\0';
		if (strcmp(k, "trusted-authserv") == 0)
			rc = scan_conf_add_trusted(c, v);
		else if (strcmp(k, "known-domain") == 0)
			rc = scan_conf_add_known(c, v);
		else
			rc = -1;
	}
	fclose(f);
	if (rc < 0)
		errno = EINVAL;
	return rc;
}

int
scan_conf_load_default(struct scan_conf *c, const char *path)
{
	char def[STORE_PATH_MAX];
	const char *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");

	if (path != NULL)
		return scan_conf_load(c, path);
	path = getenv("POSTIE_SCAN_CONFIG");
	if (path != NULL && *path != '\0')
		return scan_conf_load(c, path);
	if (x != NULL && *x != '\0') {
		if (str_fmt(def, sizeof(def), "%s/postie/scan.conf", x) < 0)
			return 0;
	} else if (h == NULL || str_fmt(def, sizeof(def),
				    "%s/.config/postie/scan.conf", h) < 0) {
		return 0;
	}
	if (access(def, F_OK) != 0)
		return 0;
	return scan_conf_load(c, def);
}

void
scan_conf_free(struct scan_conf *c)
{
	size_t i;

	for (i = 0; i < c->ntrusted; i++)
		g_free(c->trusted[i]);
	if (c->known != NULL)
		g_hash_table_destroy(c->known);
	if (c->known_orgs != NULL)
		g_hash_table_destroy(c->known_orgs);
	memset(c, 0, sizeof(*c));
}

/* catalog.c: look-ups and names for the check catalogue. */
#include <string.h>
#include <strings.h>

#include "audit/catalog.h"

static const struct {
	const struct au_check *tab;
	const size_t *n;
} parts[] = {
	{ au_cat_tls, &au_cat_tls_n },
	{ au_cat_auth, &au_cat_auth_n },
	{ au_cat_misc, &au_cat_misc_n },
};

const struct au_check *
au_check_get(enum au_id i)
{
	size_t p, k;

	for (p = 0; p < sizeof(parts) / sizeof(parts[0]); p++)
		for (k = 0; k < *parts[p].n; k++)
			if (parts[p].tab[k].idx == i)
				return &parts[p].tab[k];
	return NULL;
}

const struct au_check *
au_check_find(const char *id)
{
	size_t p, k;

	for (p = 0; p < sizeof(parts) / sizeof(parts[0]); p++)
		for (k = 0; k < *parts[p].n; k++)
			if (strcasecmp(parts[p].tab[k].id, id) == 0)
				return &parts[p].tab[k];
	return NULL;
}

const char *
au_mode_name(enum au_mode m)
{
	switch (m) {
	case AU_SAFE:
		return "SAFE";
	case AU_CRED:
		return "CRED";
	case AU_INTRUSIVE:
		return "INTRUSIVE";
	}
	return "?";
}

static const char *const sev_names[] = {
	"none", "info", "low", "medium", "high", "critical"
};

const char *
au_sev_name(enum au_sev s)
{
	if ((unsigned)s < sizeof(sev_names) / sizeof(sev_names[0]))
		return sev_names[s];
	return "?";
}

int
au_sev_parse(const char *s, enum au_sev *sev_r)
{
	size_t i;

	for (i = 0; i < sizeof(sev_names) / sizeof(sev_names[0]); i++) {
		if (strcasecmp(s, sev_names[i]) == 0) {
			*sev_r = (enum au_sev)i;
			return 0;
		}
	}
	return -1;
}

const char *
au_sev_score(enum au_sev s)
{
	switch (s) {
	case AU_SEV_CRITICAL:
		return "9.5";
	case AU_SEV_HIGH:
		return "8.0";
	case AU_SEV_MEDIUM:
		return "5.5";
	case AU_SEV_LOW:
		return "3.0";
	case AU_SEV_INFO:
	case AU_SEV_NONE:
		break;
	}
	return "0.0";
}

const char *
au_family_name(enum au_family f)
{
	static const char *const names[AU_NFAMILIES] = {
		"postie", "Dovecot", "Courier", "Cyrus", "generic"
	};

	if ((unsigned)f < AU_NFAMILIES)
		return names[f];
	return "?";
}

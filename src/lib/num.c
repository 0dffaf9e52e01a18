/* num.c: strict decimal parsing. */
#include <string.h>

#include "lib/num.h"

int
num_parse_u64(
    const char *p, size_t len, uint64_t min, uint64_t max, uint64_t *val_r)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 20)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned d;

		if (p[i] < '0' || p[i] > '9')
			return -1;
		d = (unsigned)(p[i] - '0');
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, d, &v))
			return -1;
	}
	if (v < min || v > max)
		return -1;
	*val_r = v;
	return 0;
}

int
num_parse_str(const char *s, uint64_t min, uint64_t max, uint64_t *val_r)
{
	return num_parse_u64(s, strlen(s), min, max, val_r);
}

int
num_parse_duration(const char *s, uint64_t *secs_r)
{
	size_t len = strlen(s);
	uint64_t mult = 1, v;

	if (len == 0)
		return -1;
	switch (s[len - 1]) {
	case 's':
		mult = 1;
		len--;
		break;
	case 'm':
		mult = 60;
		len--;
		break;
	case 'h':
		mult = 3600;
		len--;
		break;
	case 'd':
		mult = 86400;
		len--;
		break;
	default:
		break;
	}
	if (num_parse_u64(s, len, 0, UINT64_MAX, &v) < 0 ||
	    __builtin_mul_overflow(v, mult, &v))
		return -1;
	*secs_r = v;
	return 0;
}

/* mdsort.c: sorting a Maildir listing without scratch memory. */
#include <string.h>

#include "store/mdent.h"

/* By base name (delivery order, stable across flag changes); for the same
 * base (a concurrent move) cur/ comes first, then the full name. */
static int
ent_cmp(const struct ent *x, const struct ent *y)
{
	size_t n = x->base_len < y->base_len ? x->base_len : y->base_len;
	int c;

	if (x->key[0] != y->key[0])
		return x->key[0] < y->key[0] ? -1 : 1;
	if (x->key[1] != y->key[1])
		return x->key[1] < y->key[1] ? -1 : 1;
	if (n > 16 && (c = memcmp(x->name + 16, y->name + 16, n - 16)) != 0)
		return c;
	if (x->base_len != y->base_len)
		return x->base_len < y->base_len ? -1 : 1;
	if (x->in_new != y->in_new)
		return x->in_new ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* x sorts before y; the keys decide almost always, inline. */
static inline bool
ent_less(const struct ent *x, const struct ent *y)
{
	if (x->key[0] != y->key[0])
		return x->key[0] < y->key[0];
	if (x->key[1] != y->key[1])
		return x->key[1] < y->key[1];
	return ent_cmp(x, y) < 0;
}

static void
ent_swap(struct ent *a, struct ent *b)
{
	struct ent t = *a;

	*a = *b;
	*b = t;
}

/* Restore the heap property below root in v[0..n). */
static void
ent_sift(struct ent *v, size_t root, size_t n)
{
	size_t child;

	for (; (child = 2 * root + 1) < n; root = child) {
		if (child + 1 < n && ent_less(&v[child], &v[child + 1]))
			child++;
		if (!ent_less(&v[root], &v[child]))
			return;
		ent_swap(&v[root], &v[child]);
	}
}

/* Heap sort of v[0..n): the fallback that bounds ent_sort at n log n. */
static void
ent_heapsort(struct ent *v, size_t n)
{
	size_t i;

	for (i = n / 2; i > 0; i--)
		ent_sift(v, i - 1, n);
	for (i = n; i > 1; i--) {
		ent_swap(&v[0], &v[i - 1]);
		ent_sift(v, 0, i - 1);
	}
}

/* Introsort in place (no scratch memory): quicksort with a median-of-three
 * pivot, insertion sort for short ranges, heap sort past the depth limit.
 * The order is total (names in one directory differ). */
static void
ent_sort(struct ent *v, size_t n, unsigned depth)
{
	struct ent pivot, e;
	size_t i, j, mid;

	while (n > 16) {
		if (depth-- == 0) {
			ent_heapsort(v, n);
			return;
		}
		mid = n / 2;
		if (ent_less(&v[mid], &v[0]))
			ent_swap(&v[mid], &v[0]);
		if (ent_less(&v[n - 1], &v[mid])) {
			ent_swap(&v[n - 1], &v[mid]);
			if (ent_less(&v[mid], &v[0]))
				ent_swap(&v[mid], &v[0]);
		}
		pivot = v[mid];
		for (i = 0, j = n - 1;;) {
			while (ent_less(&v[i], &pivot))
				i++;
			while (ent_less(&pivot, &v[j]))
				j--;
			if (i >= j)
				break;
			ent_swap(&v[i++], &v[j--]);
		}
		/* v[0..j] <= pivot <= v[j+1..n): recurse into the smaller. */
		if (j + 1 < n - j - 1) {
			ent_sort(v, j + 1, depth);
			v += j + 1;
			n -= j + 1;
		} else {
			ent_sort(v + j + 1, n - j - 1, depth);
			n = j + 1;
		}
	}
	for (i = 1; i < n; i++) {
		e = v[i];
		for (j = i; j > 0 && ent_less(&e, &v[j - 1]); j--)
			v[j] = v[j - 1];
		v[j] = e;
	}
}

void
md_ent_sort(struct ent *v, size_t n)
{
	unsigned depth = 0;
	size_t i;

	for (i = n; i > 1; i /= 2)
		depth += 2; /* 2 log2(n) */
	ent_sort(v, n, depth);
}

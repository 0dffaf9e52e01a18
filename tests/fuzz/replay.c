/* replay.c: a stand-in for libFuzzer's main() in gcc builds. Usage:
 *     fuzz-NAME FILE|DIR...
 * Every file named, and every file in a named directory (and in its direct
 * subdirectories), is passed once to LLVMFuzzerTestOneInput. Prints
 * "replayed N inputs"; a crash or abort() in the target fails the run. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPLAY_FILE_MAX (16 * 1024 * 1024) /* larger inputs are an error */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long replayed;

/* Read a whole file and run it; 0, or -1 if it could not be read. */
static int
run_file(const char *path)
{
	FILE *f;
	uint8_t *data;
	size_t len = 0, n;
	int rc = 0;

	f = fopen(path, "rb");
	if (f == NULL) {
		perror(path);
		return -1;
	}
	data = malloc(REPLAY_FILE_MAX + 1);
	if (data == NULL) {
		fclose(f);
		return -1;
	}
	while ((n = fread(data + len, 1, REPLAY_FILE_MAX + 1 - len, f)) > 0)
		len += n;
	if (ferror(f) || len > REPLAY_FILE_MAX) {
		fprintf(stderr, "%s: unreadable or larger than %d bytes\n",
		    path, REPLAY_FILE_MAX);
		rc = -1;
	} else {
		/* Pass an exactly sized copy so ASan sees over-reads. */
		uint8_t *copy = malloc(len > 0 ? len : 1);

		if (copy == NULL) {
			rc = -1;
		} else {
			memcpy(copy, data, len);
			LLVMFuzzerTestOneInput(copy, len);
			free(copy);
			replayed++;
		}
	}
	free(data);
	fclose(f);
	return rc;
}

/* Run path: a file, or a directory whose entries are run (recursing into
 * subdirectories while depth > 0). Hidden entries are skipped. */
static int
run_path(const char *path, int depth)
{
	struct stat st;
	struct dirent **ents;
	int i, n, rc = 0;

	if (stat(path, &st) != 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return S_ISREG(st.st_mode) ? run_file(path) : 0;
	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0) {
		perror(path);
		return -1;
	}
	for (i = 0; i < n; i++) {
		char sub[4096];
		int w;

		if (ents[i]->d_name[0] == '.') {
			free(ents[i]);
			continue;
		}
		w = snprintf(sub, sizeof(sub), "%s/%s", path, ents[i]->d_name);
		free(ents[i]);
		if (w < 0 || (size_t)w >= sizeof(sub)) {
			rc = -1;
			continue;
		}
		if (stat(sub, &st) != 0) {
			rc = -1;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (depth > 0 && run_path(sub, depth - 1) != 0)
				rc = -1;
		} else if (S_ISREG(st.st_mode) && run_file(sub) != 0) {
			rc = -1;
		}
	}
	free(ents);
	return rc;
}

int
main(int argc, char **argv)
{
	int i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		/* libFuzzer-style flags (-runs=, -dict=) are ignored. */
		if (argv[i][0] == '-')
			continue;
		if (run_path(argv[i], 1) != 0)
			rc = 1;
	}
	printf("replayed %lu inputs\n", replayed);
	return rc;
}

/* priv.c: privilege dropping with verification. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "lib/priv.h"
#include "lib/util.h"

int
priv_drop(uid_t uid, gid_t gid, char *err, size_t errlen)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		(void)str_fmt(err, errlen, "cannot drop to uid %ld gid %ld: %s",
		    (long)uid, (long)gid, strerror(errno));
		return -1;
	}
	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0 ||
	    ru != uid || eu != uid || su != uid || rg != gid || eg != gid ||
	    sg != gid) {
		(void)str_copy(
		    err, "privilege drop did not take effect", errlen);
		return -1;
	}
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		(void)str_copy(
		    err, "root could be regained after the drop", errlen);
		return -1;
	}
	return 0;
}

int
priv_lookup(const char *name, uid_t *uid_r, gid_t *gid_r)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return -1;
	*uid_r = pw.pw_uid;
	*gid_r = pw.pw_gid;
	return 0;
}

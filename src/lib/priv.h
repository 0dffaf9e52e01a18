/* priv.h: dropping privileges, the one way postie does it. */
#ifndef POSTIE_LIB_PRIV_H
#define POSTIE_LIB_PRIV_H

#include <stddef.h>
#include <sys/types.h>

/* Become uid/gid for good: setgroups(gid) -> setresgid -> setresuid, then
 * verify that real, effective and saved ids all changed and that root
 * cannot be regained. 0, or -1 with a reason in err. */
int priv_drop(uid_t uid, gid_t gid, char *err, size_t errlen);
/* Look up a user name; 0 and its uid/gid, or -1. */
int priv_lookup(const char *name, uid_t *uid_r, gid_t *gid_r);

#endif

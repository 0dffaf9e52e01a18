/* listen.c: listening sockets. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/num.h"
#include "lib/util.h"
#include "net/listen.h"

int
net_parse_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *len_r)
{
	char host[64];
	const char *colon, *hs = spec;
	size_t hlen;
	uint64_t port;

	memset(ss, 0, sizeof(*ss));
	if ((colon = strrchr(spec, ':')) == NULL)
		return -1;
	hlen = (size_t)(colon - spec);
	if (hlen >= 2 && spec[0] == '[' && spec[hlen - 1] == ']') {
		hs = spec + 1;
		hlen -= 2;
	}
	if (hlen >= sizeof(host) ||
	    num_parse_str(colon + 1, 1, 65535, &port) < 0)
		return -1;
	memcpy(host, hs, hlen);
	host[hlen] = '\0';
	if (strcmp(host, "*") == 0 || hlen == 0) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_any;
		s6->sin6_port = htons((uint16_t)port);
		*len_r = sizeof(*s6);
		return 0;
	}
	if (strchr(host, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			return -1;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len_r = sizeof(*s6);
		return 0;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return -1;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len_r = sizeof(*s4);
		return 0;
	}
}

int
net_listen(const char *spec, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1, v6only;

	if (net_parse_addr(spec, &ss, &len) < 0) {
		(void)str_fmt(err, errlen, "%s: expected ADDR:PORT", spec);
		return -1;
	}
	fd =
	    socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		(void)str_fmt(
		    err, errlen, "%s: socket: %s", spec, strerror(errno));
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6) {
		/* "*" listens on both families; a literal v6 only on v6. */
		v6only =
		    strncmp(spec, "*", 1) != 0 && strncmp(spec, "[*]", 3) != 0;
		(void)setsockopt(
		    fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 1024) < 0) {
		(void)str_fmt(err, errlen, "%s: %s", spec, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void
net_host_str(const struct sockaddr *sa, char *out, size_t outlen)
{
	const void *a;

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		/* Show v4-mapped v6 peers as plain IPv4. */
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			if (inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], out,
				(socklen_t)outlen) == NULL)
				(void)str_copy(out, "?", outlen);
			return;
		}
		a = &s6->sin6_addr;
	} else {
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	}
	if (inet_ntop(sa->sa_family, a, out, (socklen_t)outlen) == NULL)
		(void)str_copy(out, "?", outlen);
}

void
net_addr_str(const struct sockaddr *sa, char *out, size_t outlen)
{
	char host[INET6_ADDRSTRLEN];
	unsigned port;

	net_host_str(sa, host, sizeof(host));
	if (sa->sa_family == AF_INET6) {
		port = ntohs(
		    ((const struct sockaddr_in6 *)(const void *)sa)->sin6_port);
		if (strchr(host, ':') != NULL) {
			(void)str_fmt(out, outlen, "[%s]:%u", host, port);
			return;
		}
	} else {
		port = ntohs(
		    ((const struct sockaddr_in *)(const void *)sa)->sin_port);
	}
	(void)str_fmt(out, outlen, "%s:%u", host, port);
}

/*
 * blackhole.c - an origin that accepts connections and never answers.
 *
 * Listens on 127.0.0.1 (a port the kernel picks), prints the port on
 * stdout, and then never calls accept() nor reads: the kernel completes
 * the TCP handshakes into the backlog, so a client connects, sends its
 * request and waits for an answer that never comes. That is the origin
 * the plugin's -t must survive. tests/integration/nagios.sh starts it and
 * kills it by its pid; it also ends by itself after BLACKHOLE_LIFE_S so a
 * failed test run cannot leave it behind for long.
 *
 * Built by the Makefile's tests/server rule (it links libraries it does not
 * use, which is harmless). No python on the CI machine: hence C.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BLACKHOLE_LIFE_S 300

int main(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0) {
		perror("blackhole: socket");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(fd, 64) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		perror("blackhole: bind/listen");
		return 1;
	}
	printf("%u\n", (unsigned)ntohs(sa.sin_port));
	fflush(stdout);
	/* The caller reads the port from a pipe or file: let it go. */
	fclose(stdout);
	alarm(BLACKHOLE_LIFE_S);
	for (;;)
		pause();
}

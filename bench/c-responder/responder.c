/*
 * The baseline for `make bench`: the smallest multi-threaded libfcgi responder, answering every
 * request with a fixed 200. It has the connection responder's shape (a fixed pool of threads,
 * each with its own FCGX_Request, all accepting on one Unix socket with no accept mutex), so the
 * gap between the two is the cost of the Swift service's own work per request.
 *
 * Usage: c-responder SOCKET_PATH [THREADS]
 */
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int listening_socket;

static const char response[] =
    "Status: 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Cache-Control: no-store\r\n"
    "Content-Length: 16\r\n"
    "\r\n"
    "{\"status\":\"ok\"}\n";

static void *serve(void *unused) {
    (void)unused;
    FCGX_Request request;
    if (FCGX_InitRequest(&request, listening_socket, 0) != 0) {
        fprintf(stderr, "c-responder: FCGX_InitRequest failed\n");
        return NULL;
    }
    while (FCGX_Accept_r(&request) >= 0) {
        FCGX_PutStr(response, (int)sizeof response - 1, request.out);
        FCGX_Finish_r(&request);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: c-responder SOCKET_PATH [THREADS]\n");
        return 2;
    }
    const char *path = argv[1];
    int threads = argc == 3 ? atoi(argv[2]) : 8;
    if (threads < 1 || threads > 256) {
        fprintf(stderr, "c-responder: THREADS must be from 1 to 256, not %s\n", argv[2]);
        return 2;
    }

    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof address.sun_path) {
        fprintf(stderr, "c-responder: socket path %s is longer than %zu bytes\n", path, sizeof address.sun_path - 1);
        return 2;
    }
    strcpy(address.sun_path, path);
    unlink(path);
    listening_socket = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    umask(0117);
    if (listening_socket < 0 || bind(listening_socket, (struct sockaddr *)&address, sizeof address) != 0 ||
        listen(listening_socket, 1024) != 0) {
        perror("c-responder: cannot listen");
        return 1;
    }

    signal(SIGPIPE, SIG_IGN);
    if (FCGX_Init() != 0) {
        fprintf(stderr, "c-responder: FCGX_Init failed\n");
        return 1;
    }

    /* libfcgi handles SIGTERM by setting a flag that threads blocked in accept never see, so the
     * workers start with SIGTERM and SIGINT blocked and the main thread waits for them. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    pthread_t pool[256];
    for (int index = 0; index < threads; index++) {
        if (pthread_create(&pool[index], NULL, serve, NULL) != 0) {
            fprintf(stderr, "c-responder: pthread_create failed\n");
            return 1;
        }
    }
    int received;
    sigwait(&stop_signals, &received);
    unlink(path);
    return 0;
}

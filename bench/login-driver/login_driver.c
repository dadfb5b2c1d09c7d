/*
 * Drives complete logins through nginx, as browsers would, for `make bench`:
 *
 *   1. GET  /authorize                   the connection stores a login state and redirects
 *   2. GET  /sandbox/oauth/?...          the sandbox's consent page, with its consent_id
 *   3. POST /sandbox/oauth/consent       allow, as ACCOUNT; redirects to the callback
 *   4. GET  /login/callback?code&state   token exchange, user account, profile stored, session
 *
 * A login is complete when step 4 redirects to the demo application without an error and sets
 * the pc_session cookie. Any other outcome counts as a failed login. Each thread is one browser with its
 * own cookie jar, emptied before every login, on one kept-alive connection. Logins take the
 * sandbox accounts of the comma-separated ACCOUNTS in turn, so that, as on a real site, the
 * concurrent logins are mostly of different users, who do not wait for each other's store lock.
 *
 * Usage: login-driver BASE_URL ACCOUNTS THREADS SECONDS MAX_LOGINS
 * Prints one line of key=value results on standard output; exits 1 if any login failed.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_THREADS 256
#define BODY_LIMIT (256 * 1024)

static const char *base_url;
#define MAX_ACCOUNTS 32
static char *accounts[MAX_ACCOUNTS];
static int account_count;
static double deadline;
static long max_logins;
static atomic_long started_logins;
static atomic_long completed_logins;
static atomic_long failed_logins;
static atomic_int reported_failures;

/* Latencies of complete logins in microseconds, one slot per login up to max_logins. */
static long *latencies;
static atomic_long latency_count;

struct browser {
    CURL *curl;
    char body[BODY_LIMIT];
    size_t body_length;
    int session_cookie_set;
    char authorize_url[1024];
    char consent_post_url[512];
};

static double now_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static size_t collect_body(char *data, size_t size, size_t count, void *context) {
    struct browser *browser = context;
    size_t length = size * count;
    size_t room = BODY_LIMIT - 1 - browser->body_length;
    size_t copied = length < room ? length : room;
    memcpy(browser->body + browser->body_length, data, copied);
    browser->body_length += copied;
    browser->body[browser->body_length] = 0;
    return length;
}

static size_t watch_headers(char *data, size_t size, size_t count, void *context) {
    struct browser *browser = context;
    size_t length = size * count;
    static const char prefix[] = "set-cookie: pc_session=";
    /* An empty value with Max-Age=0 deletes the cookie, so it does not count. */
    if (length > sizeof prefix && strncasecmp(data, prefix, sizeof prefix - 1) == 0 && data[sizeof prefix - 1] != ';')
        browser->session_cookie_set = 1;
    return length;
}

static void report_failure(const char *step, long status, const char *detail) {
    atomic_fetch_add(&failed_logins, 1);
    if (atomic_fetch_add(&reported_failures, 1) < 5)
        fprintf(stderr, "login-driver: login failed at %s: HTTP %ld %.200s\n", step, status, detail ? detail : "");
}

/* Sends one request; returns the status, or 0 when the transfer failed. */
static long perform(struct browser *browser, const char *url, const char *post_fields) {
    browser->body_length = 0;
    browser->body[0] = 0;
    curl_easy_setopt(browser->curl, CURLOPT_URL, url);
    if (post_fields) {
        curl_easy_setopt(browser->curl, CURLOPT_POSTFIELDS, post_fields);
    } else {
        curl_easy_setopt(browser->curl, CURLOPT_HTTPGET, 1L);
    }
    CURLcode code = curl_easy_perform(browser->curl);
    if (code != CURLE_OK) {
        report_failure(url, 0, curl_easy_strerror(code));
        return 0;
    }
    long status = 0;
    curl_easy_getinfo(browser->curl, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

static int redirect_location(struct browser *browser, char *location, size_t capacity) {
    char *target = NULL;
    curl_easy_getinfo(browser->curl, CURLINFO_REDIRECT_URL, &target);
    if (!target || strlen(target) >= capacity) return 0;
    strcpy(location, target);
    return 1;
}

/* Runs one login; returns 1 when it completed. */
static int log_in(struct browser *browser, const char *account) {
    char location[4096];
    char form[1024];
    long status;

    curl_easy_setopt(browser->curl, CURLOPT_COOKIELIST, "ALL");
    browser->session_cookie_set = 0;

    status = perform(browser, browser->authorize_url, NULL);
    if (status == 0) return 0;
    if (status != 302 || !redirect_location(browser, location, sizeof location)) {
        report_failure("authorize", status, browser->body);
        return 0;
    }

    status = perform(browser, location, NULL);
    if (status == 0) return 0;
    static const char marker[] = "name=\"consent_id\" value=\"";
    char *found = strstr(browser->body, marker);
    char *end = found ? strchr(found + sizeof marker - 1, '"') : NULL;
    if (status != 200 || !end || end - found > 200) {
        report_failure("consent page", status, browser->body);
        return 0;
    }
    *end = 0;
    snprintf(form, sizeof form, "consent_id=%s&account=%s&decision=allow", found + sizeof marker - 1, account);

    status = perform(browser, browser->consent_post_url, form);
    if (status == 0) return 0;
    if (status != 302 || !redirect_location(browser, location, sizeof location)) {
        report_failure("consent", status, browser->body);
        return 0;
    }

    browser->session_cookie_set = 0;
    status = perform(browser, location, NULL);
    if (status == 0) return 0;
    char destination[4096] = "";
    redirect_location(browser, destination, sizeof destination);
    if (status != 302 || strstr(destination, "/demo/") == NULL || strstr(destination, "error=") != NULL ||
        !browser->session_cookie_set) {
        report_failure("callback", status, destination[0] ? destination : browser->body);
        return 0;
    }
    return 1;
}

static void *run_browser(void *unused) {
    (void)unused;
    struct browser *browser = calloc(1, sizeof *browser);
    if (browser) browser->curl = curl_easy_init();
    if (!browser || !browser->curl) {
        fprintf(stderr, "login-driver: out of memory\n");
        exit(1);
    }
    char demo[512];
    snprintf(demo, sizeof demo, "%s/demo/", base_url);
    char *redirect = curl_easy_escape(browser->curl, demo, 0);
    snprintf(browser->authorize_url, sizeof browser->authorize_url,
             "%s/authorize?response_type=code&client_id=demo&state=bench&redirect_uri=%s", base_url, redirect);
    curl_free(redirect);
    snprintf(browser->consent_post_url, sizeof browser->consent_post_url, "%s/sandbox/oauth/consent", base_url);

    curl_easy_setopt(browser->curl, CURLOPT_COOKIEFILE, "");
    curl_easy_setopt(browser->curl, CURLOPT_WRITEFUNCTION, collect_body);
    curl_easy_setopt(browser->curl, CURLOPT_WRITEDATA, browser);
    curl_easy_setopt(browser->curl, CURLOPT_HEADERFUNCTION, watch_headers);
    curl_easy_setopt(browser->curl, CURLOPT_HEADERDATA, browser);
    curl_easy_setopt(browser->curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(browser->curl, CURLOPT_NOSIGNAL, 1L);

    long number;
    while (now_seconds() < deadline && (number = atomic_fetch_add(&started_logins, 1)) < max_logins) {
        double begin = now_seconds();
        if (log_in(browser, accounts[number % account_count])) {
            atomic_fetch_add(&completed_logins, 1);
            long slot = atomic_fetch_add(&latency_count, 1);
            latencies[slot] = (long)((now_seconds() - begin) * 1e6);
        }
    }
    curl_easy_cleanup(browser->curl);
    free(browser);
    return NULL;
}

static int compare_longs(const void *left, const void *right) {
    long a = *(const long *)left, b = *(const long *)right;
    return (a > b) - (a < b);
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: login-driver BASE_URL ACCOUNTS THREADS SECONDS MAX_LOGINS\n");
        return 2;
    }
    base_url = argv[1];
    for (char *account = strtok(argv[2], ","); account && account_count < MAX_ACCOUNTS; account = strtok(NULL, ","))
        accounts[account_count++] = account;
    if (account_count == 0) {
        fprintf(stderr, "login-driver: ACCOUNTS must name at least one sandbox account\n");
        return 2;
    }
    int threads = atoi(argv[3]);
    double seconds = atof(argv[4]);
    max_logins = atol(argv[5]);
    if (threads < 1 || threads > MAX_THREADS || seconds <= 0 || seconds > 600 || max_logins < 1 || max_logins > 10000000) {
        fprintf(stderr, "login-driver: THREADS must be 1 to %d, SECONDS 0 to 600 and MAX_LOGINS 1 to 10000000\n", MAX_THREADS);
        return 2;
    }
    latencies = calloc((size_t)max_logins, sizeof *latencies);
    if (!latencies || curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        fprintf(stderr, "login-driver: initialization failed\n");
        return 1;
    }

    double begin = now_seconds();
    deadline = begin + seconds;
    pthread_t pool[MAX_THREADS];
    for (int index = 0; index < threads; index++) pthread_create(&pool[index], NULL, run_browser, NULL);
    for (int index = 0; index < threads; index++) pthread_join(pool[index], NULL);
    double elapsed = now_seconds() - begin;

    long completed = atomic_load(&completed_logins);
    long failed = atomic_load(&failed_logins);
    long count = atomic_load(&latency_count);
    qsort(latencies, (size_t)count, sizeof *latencies, compare_longs);
    double p50 = 0, p99 = 0;
    if (count > 0) {
        p50 = latencies[count / 2] / 1000.0;
        p99 = latencies[count * 99 / 100] / 1000.0;
    }
    printf("logins=%ld failed=%ld seconds=%.2f logins_per_second=%.1f p50_ms=%.2f p99_ms=%.2f threads=%d accounts=%d\n",
           completed, failed, elapsed, completed / elapsed, p50, p99, threads, account_count);
    curl_global_cleanup();
    return failed == 0 ? 0 : 1;
}

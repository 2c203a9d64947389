/*
 * Load generator for bench/fanout.ts: N subscribers in one epoll thread, each one a real client
 * of its protocol that parses every frame (WebSocket RFC 6455 frames, SSE blocks, MQTT 3.1.1
 * PUBLISH packets, NATS MSG lines), pulls the event number out of the payload ("seq":K, or the
 * SSE id: line), and checks that each subscriber gets every event once and in order.
 *
 * Usage: fanout-client PROTO HOST PORT N SRC_FIRST SRC_PER_IP STALL_PERMILLE [PATH]
 *   PROTO ws | sse | mqtt | nats; connections bind to source 127.0.X.Y starting at SRC_FIRST
 *   (an index: 127.0.(i/250).(2+i%250)) with SRC_PER_IP connections per address.
 *   STALL_PERMILLE: that many subscribers per thousand stop reading once subscribed.
 * Stdout lines: "READY ok failed", "D seq t_ns" when every reading subscriber has event seq
 * (t_ns = CLOCK_MONOTONIC of the last receipt, the clock Node's process.hrtime uses), and on
 * "Q" from stdin: "S received lost duplicated out_of_order payload_bytes first_seq last_seq".
 * FANOUT_NAP_US (environment, default 0): after a wakeup that brought events, sleep that long
 * and take what arrived meanwhile without blocking; block again only once nothing is ready. A
 * generator asleep in nanosleep is not waiting on its epoll, so the server's writes do not wake
 * it one by one (on loopback each wakeup is the writer's CPU). Receipts are read later, never
 * earlier, so the latency measured is not flattered.
 * Built by bench/fanout.ts with `cc -O2`; every loop is bounded by N and by the input size.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SEQ 65536
#define BUF 65536

enum { P_WS, P_SSE, P_MQTT, P_NATS };
enum { S_CONNECTING, S_HANDSHAKE, S_LIVE, S_DEAD };

typedef struct {
  int fd, state, stalled;
  int32_t last; /* last event seq seen */
  uint32_t got, dup, ooo;
  char *buf;
  size_t len;
} conn_t;

static int proto, nconn, epfd;
static conn_t *conns;
static uint32_t *count;  /* receipts per seq */
static int64_t *lastns;  /* last receipt per seq */
static int readers;      /* subscribers that read */
static int64_t first_seq = -1, max_seq = 0;
static uint64_t payload_bytes, payloads;
static const char *host, *path;
static int port;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what) {
  fprintf(stdout, "E %s: %s\n", what, strerror(errno));
  fflush(stdout);
  exit(1);
}

static void send_all(conn_t *c, const char *data, size_t n) {
  /* Handshakes are small; a loopback socket takes them whole. */
  while (n > 0) {
    ssize_t w = write(c->fd, data, n);
    if (w < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      c->state = S_DEAD;
      return;
    }
    data += w;
    n -= (size_t)w;
  }
}

/* The event number of a payload: "seq":K (Tocsin events and the brokers' payloads alike).
 * memmem, not a byte loop: in Tocsin's canonical JSON (RFC 8785, keys sorted) "seq" comes after
 * the alert, ~2 KiB in, and the byte loop was 2.5 % of all CPU in the 100k run (perf). */
static int64_t seq_of(const char *p, size_t n) {
  static const char key[] = "\"seq\":";
  const char *at = memmem(p, n, key, sizeof key - 1);
  if (!at) return -1;
  size_t j = (size_t)(at - p) + sizeof key - 1;
  if (j >= n || p[j] < '0' || p[j] > '9') return -1;
  int64_t v = 0;
  while (j < n && p[j] >= '0' && p[j] <= '9') v = v * 10 + (p[j++] - '0');
  return v;
}

static int is_event(const char *p, size_t n) {
  /* Tocsin: only alert.* events count (snapshot and heartbeat carry a seq too). */
  if (proto == P_MQTT || proto == P_NATS) return 1;
  return memmem(p, n, "\"type\":\"alert.", 14) != NULL;
}

static void record(conn_t *c, int64_t seq, size_t bytes) {
  if (seq < 0 || seq >= MAX_SEQ) return;
  int64_t t = now_ns();
  if (seq < c->last) { /* earlier than one already seen */
    c->ooo++;
    return;
  }
  if (seq == c->last) {
    c->dup++;
    return;
  }
  c->last = (int32_t)seq;
  c->got++;
  payload_bytes += bytes;
  payloads++;
  if (first_seq < 0 || seq < first_seq) first_seq = seq;
  if (seq > max_seq) max_seq = seq;
  if (t > lastns[seq]) lastns[seq] = t;
  if (++count[seq] == (uint32_t)readers) {
    fprintf(stdout, "D %lld %lld\n", (long long)seq, (long long)lastns[seq]);
    fflush(stdout);
  }
}

/* Parses whole frames from c->buf; returns bytes consumed. */
static size_t parse(conn_t *c) {
  char *b = c->buf;
  size_t n = c->len, at = 0;
  for (;;) {
    char *p = b + at;
    size_t left = n - at;
    if (proto == P_WS) {
      if (left < 2) break;
      uint64_t plen = (uint8_t)p[1] & 0x7f;
      size_t hdr = 2;
      if (plen == 126) {
        if (left < 4) break;
        plen = ((uint8_t)p[2] << 8) | (uint8_t)p[3];
        hdr = 4;
      } else if (plen == 127) {
        if (left < 10) break;
        plen = 0;
        for (int i = 0; i < 8; i++) plen = (plen << 8) | (uint8_t)p[2 + i];
        hdr = 10;
      }
      if (plen > BUF || left < hdr + plen) break;
      int opcode = p[0] & 0x0f;
      if (opcode == 1 && is_event(p + hdr, plen)) record(c, seq_of(p + hdr, plen), plen);
      at += hdr + plen;
    } else if (proto == P_SSE) {
      char *end = memmem(p, left, "\n\n", 2);
      if (!end) break;
      size_t blen = (size_t)(end - p) + 2;
      if (memmem(p, blen, "event: alert.", 13)) {
        char *id = memmem(p, blen, "id: ", 4);
        int64_t seq = -1;
        if (id) seq = strtoll(id + 4, NULL, 10);
        record(c, seq, blen);
      }
      at += blen;
    } else if (proto == P_MQTT) {
      if (left < 2) break;
      uint32_t rl = 0, mul = 1;
      size_t i = 1;
      for (; i < left && i < 5; i++) {
        rl += (uint32_t)((uint8_t)p[i] & 0x7f) * mul;
        mul *= 128;
        if (!((uint8_t)p[i] & 0x80)) break;
      }
      if (i >= left || i >= 5) break;
      size_t hdr = i + 1;
      if (left < hdr + rl) break;
      if (((uint8_t)p[0] >> 4) == 3 && rl >= 2) { /* PUBLISH, QoS 0: topic, then payload */
        size_t tl = ((uint8_t)p[hdr] << 8) | (uint8_t)p[hdr + 1];
        const char *payload = p + hdr + 2 + tl;
        size_t plen = rl - 2 - tl;
        record(c, seq_of(payload, plen), plen);
      }
      at += hdr + rl;
    } else { /* NATS */
      char *eol = memmem(p, left, "\r\n", 2);
      if (!eol) break;
      size_t line = (size_t)(eol - p);
      if (line >= 4 && memcmp(p, "MSG ", 4) == 0) {
        char *sp = eol;
        while (sp > p && sp[-1] != ' ') sp--;
        size_t plen = strtoul(sp, NULL, 10);
        if (left < line + 2 + plen + 2) break;
        record(c, seq_of(eol + 2, plen), plen);
        at += line + 2 + plen + 2;
      } else {
        if (line == 4 && memcmp(p, "PING", 4) == 0) send_all(c, "PONG\r\n", 6);
        at += line + 2;
      }
    }
  }
  return at;
}

static const char *src_of(int i, int first, int per_ip, char *out) {
  int k = first + i / per_ip;
  sprintf(out, "127.0.%d.%d", k / 250, 2 + k % 250);
  return out;
}

static void start(conn_t *c, const char *src) {
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (c->fd < 0) die("socket");
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in local = {.sin_family = AF_INET};
  inet_pton(AF_INET, src, &local.sin_addr);
  if (bind(c->fd, (struct sockaddr *)&local, sizeof local) < 0) die("bind");
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, host, &to.sin_addr);
  if (connect(c->fd, (struct sockaddr *)&to, sizeof to) < 0 && errno != EINPROGRESS) die("connect");
  c->state = S_CONNECTING;
  struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.ptr = c};
  epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev);
}

static void hello(conn_t *c) {
  char req[1024];
  int n;
  if (proto == P_WS)
    n = snprintf(req, sizeof req,
                 "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                 path, host, port);
  else if (proto == P_SSE)
    n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s:%d\r\nAccept: text/event-stream\r\n\r\n", path,
                 host, port);
  else if (proto == P_MQTT) {
    /* CONNECT (3.1.1, clean session, keep-alive 0), then SUBSCRIBE "alerts" QoS 0 */
    static const unsigned char pkt[] = {0x10, 12, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 0, 0, 0,
                                        0x82, 11, 0, 1, 0, 6, 'a', 'l', 'e', 'r', 't', 's', 0};
    memcpy(req, pkt, sizeof pkt);
    n = sizeof pkt;
  } else
    n = snprintf(req, sizeof req, "CONNECT {\"verbose\":false,\"pedantic\":false}\r\nSUB alerts 1\r\nPING\r\n");
  send_all(c, req, (size_t)n);
  c->state = S_HANDSHAKE;
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
  epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Returns 1 when the handshake completed (the rest of the buffer is stream data). */
static int handshake(conn_t *c) {
  char *b = c->buf;
  size_t n = c->len, used = 0;
  if (proto == P_WS || proto == P_SSE) {
    char *end = memmem(b, n, "\r\n\r\n", 4);
    if (!end) return 0;
    if (memcmp(b, proto == P_WS ? "HTTP/1.1 101" : "HTTP/1.1 200", 12) != 0) {
      c->state = S_DEAD;
      return 0;
    }
    used = (size_t)(end - b) + 4;
  } else if (proto == P_MQTT) {
    if (n < 9) return 0; /* CONNACK (4) + SUBACK (5) */
    if ((uint8_t)b[0] != 0x20 || b[3] != 0 || (uint8_t)b[4] != 0x90) {
      c->state = S_DEAD;
      return 0;
    }
    used = 9;
  } else {
    char *pong = memmem(b, n, "PONG\r\n", 6);
    if (!pong) return 0;
    used = (size_t)(pong - b) + 6;
  }
  memmove(b, b + used, n - used);
  c->len = n - used;
  c->state = S_LIVE;
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 8) {
    fprintf(stderr, "usage: fanout-client ws|sse|mqtt|nats HOST PORT N SRC_FIRST SRC_PER_IP STALL_PERMILLE [PATH]\n");
    return 2;
  }
  proto = !strcmp(argv[1], "ws") ? P_WS : !strcmp(argv[1], "sse") ? P_SSE : !strcmp(argv[1], "mqtt") ? P_MQTT : P_NATS;
  host = argv[2];
  port = atoi(argv[3]);
  nconn = atoi(argv[4]);
  int src_first = atoi(argv[5]), per_ip = atoi(argv[6]), stall = atoi(argv[7]);
  path = argc > 8 ? argv[8] : "/v1/stream";
  if (nconn <= 0 || nconn > 19000 || per_ip <= 0) return 2;
  conns = calloc((size_t)nconn, sizeof *conns);
  count = calloc(MAX_SEQ, sizeof *count);
  lastns = calloc(MAX_SEQ, sizeof *lastns);
  epfd = epoll_create1(0);
  for (int i = 0; i < nconn; i++) {
    conns[i].last = -1;
    conns[i].buf = malloc(BUF);
    /* Spread the stalled ones evenly: subscriber i stalls when i*stall/1000 steps up. */
    conns[i].stalled = stall > 0 && ((i + 1) * stall / 1000) != (i * stall / 1000);
    if (!conns[i].stalled) readers++;
  }
  fcntl(0, F_SETFL, O_NONBLOCK);
  struct epoll_event in = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(epfd, EPOLL_CTL_ADD, 0, &in);

  /* Connect in waves of 500 so the server's accept queue never overflows. */
  char src[32];
  int started = 0, live = 0, dead = 0, ready_said = 0;
  struct epoll_event evs[512];
  const char *nap_env = getenv("FANOUT_NAP_US");
  long nap_us = nap_env ? strtol(nap_env, NULL, 10) : 0;
  struct timespec nap = {.tv_sec = 0, .tv_nsec = (nap_us > 0 && nap_us < 1000000 ? nap_us : 0) * 1000};
  int napping = 0;
  for (;;) {
    while (started < nconn && started - live - dead < 500) {
      start(&conns[started], src_of(started, src_first, per_ip, src));
      started++;
    }
    int k = epoll_wait(epfd, evs, 512, napping ? 0 : 1000);
    if (napping && k == 0) {
      napping = 0;
      continue;
    }
    for (int e = 0; e < k; e++) {
      conn_t *c = evs[e].data.ptr;
      if (!c) { /* stdin: "Q" ends the run */
        char cmd[64];
        ssize_t r = read(0, cmd, sizeof cmd);
        if (r == 0 || (r > 0 && cmd[0] == 'Q')) goto done;
        continue;
      }
      if (c->state == S_CONNECTING) {
        int err = 0;
        socklen_t l = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
        if (err) {
          c->state = S_DEAD;
          dead++;
          close(c->fd);
          continue;
        }
        hello(c);
        continue;
      }
      if (c->state == S_DEAD) continue;
      for (int spins = 0; spins < 64; spins++) {
        ssize_t r = read(c->fd, c->buf + c->len, BUF - c->len);
        if (r <= 0) {
          if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
            if (c->state != S_LIVE) dead++;
            else if (!c->stalled) readers--, dead++;
            c->state = S_DEAD;
            epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
            close(c->fd);
          }
          break;
        }
        c->len += (size_t)r;
        if (c->state == S_HANDSHAKE) {
          if (!handshake(c)) {
            if (c->state == S_DEAD) dead++, close(c->fd);
            if (c->len == BUF) c->len = 0;
            continue;
          }
          live++;
          if (c->stalled) { /* never read again: the server's queue for it fills up */
            epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
            break;
          }
        }
        size_t used = parse(c);
        memmove(c->buf, c->buf + used, c->len - used);
        c->len -= used;
        if (c->len == BUF) c->len = 0; /* a frame larger than the buffer: not ours */
        if ((size_t)r < BUF / 2) break;
      }
    }
    if (nap.tv_nsec > 0 && k > 0 && k < 512 && ready_said) {
      nanosleep(&nap, NULL);
      napping = 1;
    }
    if (!ready_said && live + dead == nconn) {
      ready_said = 1;
      fprintf(stdout, "READY %d %d\n", live, dead);
      fflush(stdout);
    }
  }
done:;
  uint64_t received = 0, dup = 0, ooo = 0, lost = 0;
  for (int i = 0; i < nconn; i++) {
    conn_t *c = &conns[i];
    received += c->got;
    dup += c->dup;
    ooo += c->ooo;
    if (!c->stalled && first_seq >= 0) lost += (uint64_t)(max_seq - first_seq + 1) - c->got;
  }
  fprintf(stdout, "S %llu %llu %llu %llu %llu %lld %lld\n", (unsigned long long)received, (unsigned long long)lost,
          (unsigned long long)dup, (unsigned long long)ooo,
          (unsigned long long)(payloads ? payload_bytes / payloads : 0), (long long)first_seq, (long long)max_seq);
  fflush(stdout);
  return 0;
}

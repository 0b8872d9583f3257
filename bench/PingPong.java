import java.io.*;
import java.net.*;

/** Raw loopback TCP request/response: 72-byte request (a CapsuleCmd), 4096+24-byte answer (C2HData). */
public class PingPong {
  public static void main(String[] a) throws Exception {
    int req = 72, resp = 4096 + 24;
    long seconds = Long.parseLong(a.length > 0 ? a[0] : "6");
    ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    Thread srv = new Thread(() -> {
      try (Socket s = ss.accept()) {
        s.setTcpNoDelay(true);
        DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
        OutputStream out = s.getOutputStream();
        byte[] q = new byte[req], r = new byte[resp];
        while (true) { in.readFully(q); out.write(r); }
      } catch (IOException e) { }
    });
    srv.setDaemon(true); srv.start();
    try (Socket c = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort())) {
      c.setTcpNoDelay(true);
      DataInputStream in = new DataInputStream(new BufferedInputStream(c.getInputStream()));
      OutputStream out = c.getOutputStream();
      byte[] q = new byte[req], r = new byte[resp];
      long end = System.nanoTime() + 2_000_000_000L; // warm-up
      while (System.nanoTime() < end) { out.write(q); in.readFully(r); }
      long n = 0, t0 = System.nanoTime(); end = t0 + seconds * 1_000_000_000L;
      while (System.nanoTime() < end) { out.write(q); in.readFully(r); n++; }
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf("raw TCP request/response %d/%d bytes: %.0f per second, %.1f us each%n", req, resp, n / s, s * 1e6 / n);
    }
  }
}

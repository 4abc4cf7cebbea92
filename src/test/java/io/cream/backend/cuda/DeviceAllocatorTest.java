package io.cream.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The caching allocator's bookkeeping against a fake device with a fixed capacity. */
class DeviceAllocatorTest {
  /** A device of capacity bytes handing out increasing addresses. */
  private static final class FakeDevice implements DeviceAllocator.Raw {
    final long capacity;
    final Map<Long, Long> blocks = new HashMap<>();
    final List<String> calls = new ArrayList<>();
    long used;
    long nextAddress = 1 << 20;

    FakeDevice(long capacity) {
      this.capacity = capacity;
    }

    @Override
    public long allocate(long bytes) {
      calls.add("alloc " + bytes);
      if (used + bytes > capacity) return 0;
      long p = nextAddress;
      nextAddress += bytes;
      blocks.put(p, bytes);
      used += bytes;
      return p;
    }

    @Override
    public void free(long pointer) {
      calls.add("free");
      used -= blocks.remove(pointer);
    }

    @Override
    public void synchronize() {
      calls.add("sync");
    }
  }

  @Test
  void roundsSizesSoSimilarRequestsShareBlocks() {
    assertEquals(512, DeviceAllocator.blockSize(0));
    assertEquals(512, DeviceAllocator.blockSize(1));
    assertEquals(1024, DeviceAllocator.blockSize(513));
    assertEquals(1 << 20, DeviceAllocator.blockSize(1 << 20));
    assertEquals(2 << 20, DeviceAllocator.blockSize((1 << 20) + 1));
    assertEquals(6L << 20, DeviceAllocator.blockSize((4L << 20) + 7));
  }

  @Test
  void reusesReleasedBlocksWithoutCallingTheDriver() {
    FakeDevice dev = new FakeDevice(1 << 30);
    DeviceAllocator a = new DeviceAllocator(dev);
    long p = a.allocate(1000);
    a.release(p, 1000);
    long q = a.allocate(900); // same 1024-byte class
    assertEquals(p, q);
    long r = a.allocate(5000);
    assertNotEquals(p, r);
    assertEquals(2, dev.calls.stream().filter(c -> c.startsWith("alloc")).count());
    assertEquals(1024 + 5120, a.liveBytes());
    a.release(q, 900);
    a.release(r, 5000);
    assertEquals(0, a.liveBytes());
    assertEquals(1024 + 5120, a.cachedBytes());
    assertEquals(1024 + 5120, a.peakLiveBytes());
  }

  @Test
  void outOfMemoryFreesTheCacheAfterWaitingThenRetries() {
    FakeDevice dev = new FakeDevice(8L << 20);
    DeviceAllocator a = new DeviceAllocator(dev);
    long p = a.allocate(6L << 20);
    a.release(p, 6L << 20); // cached, still held from the device
    long q = a.allocate(4L << 20); // another class: needs the cache freed
    assertTrue(q != 0);
    int sync = dev.calls.indexOf("sync"), free = dev.calls.indexOf("free");
    assertTrue(sync >= 0 && sync < free, "waits for the stream before freeing: " + dev.calls);
    assertEquals(0, a.cachedBytes());
    CudaException e = assertThrows(CudaException.class, () -> a.allocate(6L << 20));
    assertTrue(e.getMessage().contains("out of GPU memory"), e.getMessage());
    assertEquals(4L << 20, a.liveBytes(), "a failed allocation changes nothing");
  }

  @Test
  void trimReturnsEveryCachedBlock() {
    FakeDevice dev = new FakeDevice(1 << 30);
    DeviceAllocator a = new DeviceAllocator(dev);
    long[] ps = {a.allocate(100), a.allocate(100), a.allocate(3 << 20)};
    a.release(ps[0], 100);
    a.release(ps[1], 100);
    a.release(ps[2], 3 << 20);
    a.trim();
    assertEquals(0, dev.used);
    assertEquals(0, a.cachedBytes());
  }
}

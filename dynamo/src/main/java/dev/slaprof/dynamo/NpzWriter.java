package dev.slaprof.dynamo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes numpy {@code .npz} files as {@code np.savez} does: an uncompressed (STORED) zip of {@code <key>.npy}
 * members in the NPY format version 1.0 (magic {@code \x93NUMPY}, header dict padded with spaces to a multiple of
 * 64 bytes and ending in '\n', then little-endian data). 1-D int64 ({@code <i8}) and float64 ({@code <f8}), and 2-D
 * float64 in C order.
 */
public final class NpzWriter {
    private final Map<String, byte[]> members = new LinkedHashMap<>();

    /** Adds a 1-D int64 array. */
    public NpzWriter int64(final String key, final List<Long> values) {
        final ByteBuffer b = ByteBuffer.allocate(values.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        values.forEach(b::putLong);
        members.put(key, npy("<i8", values.size(), b.array()));
        return this;
    }

    /** Adds a 1-D float64 array. */
    public NpzWriter float64(final String key, final List<Double> values) {
        final ByteBuffer b = ByteBuffer.allocate(values.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        values.forEach(b::putDouble);
        members.put(key, npy("<f8", values.size(), b.array()));
        return this;
    }

    /** Adds a 2-D float64 array {@code values[i][j]} (C order: rows of equal length). */
    public NpzWriter float64(final String key, final double[][] values) {
        final int rows = values.length;
        final int cols = rows == 0 ? 0 : values[0].length;
        final ByteBuffer b = ByteBuffer.allocate(rows * cols * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (final double[] row : values) {
            if (row.length != cols) {
                throw new IllegalArgumentException(key + ": rows of different lengths");
            }
            for (final double v : row) {
                b.putDouble(v);
            }
        }
        members.put(key, npy("<f8", "(" + rows + ", " + cols + ")", b.array()));
        return this;
    }

    public static byte[] npy(final String dtype, final int length, final byte[] data) {
        return npy(dtype, "(" + length + ",)", data);
    }

    public static byte[] npy(final String dtype, final String shape, final byte[] data) {
        final String dict = "{'descr': '" + dtype + "', 'fortran_order': False, 'shape': " + shape + ", }";
        final int unpadded = 6 + 2 + 2 + dict.length() + 1;
        final int total = (unpadded + 63) / 64 * 64;
        final StringBuilder header = new StringBuilder(dict);
        header.append(" ".repeat(total - unpadded)).append('\n');
        final ByteArrayOutputStream out = new ByteArrayOutputStream(total + data.length);
        out.write(0x93);
        out.writeBytes("NUMPY".getBytes(StandardCharsets.US_ASCII));
        out.write(1);
        out.write(0);
        final int headerLen = header.length();
        out.write(headerLen & 0xff);
        out.write(headerLen >>> 8);
        out.writeBytes(header.toString().getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static final LocalDateTime NUMPY_MEMBER_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);

    /** Writes the archive. */
    public void writeTo(final OutputStream target) throws IOException {
        final ZipOutputStream zip = new ZipOutputStream(target);
        for (final Map.Entry<String, byte[]> m : members.entrySet()) {
            final ZipEntry e = new ZipEntry(m.getKey() + ".npy");
            e.setMethod(ZipEntry.STORED);
            e.setSize(m.getValue().length);
            final CRC32 crc = new CRC32();
            crc.update(m.getValue());
            e.setCrc(crc.getValue());
            // numpy's savez stamps members 1980-01-01 00:00 (zipfile's default): the same data gives the same bytes.
            e.setTimeLocal(NUMPY_MEMBER_TIME);
            zip.putNextEntry(e);
            zip.write(m.getValue());
            zip.closeEntry();
        }
        zip.finish();
    }
}

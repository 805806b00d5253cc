package dev.minnow.models.lightfield;

/**
 * A pinhole camera in MobileR2L's OpenGL convention (x right, y up, looking along −z) with the ray sampling of
 * its {@code data/rays_utils.py}: an {@code height × width} ray grid with focal length {@code focal} pixels,
 * {@code samples} depths from {@code near} to {@code far} and {@code frequencies} positional-encoding octaves.
 *
 * @param c2w camera-to-world {@code [R | t]}, 3 rows × 4 columns, row-major
 */
public record Camera(double[][] c2w, int height, int width, double focal, double near, double far, int samples, int frequencies) {

    public Camera {
        if (c2w.length != 3 || c2w[0].length != 4 || c2w[1].length != 4 || c2w[2].length != 4) {
            throw new IllegalArgumentException("c2w must be 3x4");
        }
        if (height < 1 || width < 1 || !(focal > 0) || samples < 2 || frequencies < 1 || !(far > near)) {
            throw new IllegalArgumentException("bad camera: " + height + "x" + width + " f=" + focal + " near=" + near + " far=" + far
                    + " samples=" + samples + " L=" + frequencies);
        }
    }

    /**
     * Camera at {@code radius·(cos el·cos az, cos el·sin az, sin el)} looking at the origin, world up +z (the
     * fixtures' {@code look_at_c2w}).
     */
    public static Camera orbit(double radius, double azimuthDeg, double elevationDeg, int height, int width, double focal,
                               double near, double far, int samples, int frequencies) {
        double az = Math.toRadians(azimuthDeg), el = Math.toRadians(elevationDeg);
        double[] pos = {radius * Math.cos(el) * Math.cos(az), radius * Math.cos(el) * Math.sin(az), radius * Math.sin(el)};
        double[] back = normalize(pos);
        double[] right = normalize(cross(new double[] {0, 0, 1}, back));
        double[] up = cross(back, right);
        double[][] m = new double[3][4];
        for (int i = 0; i < 3; i++) {
            m[i][0] = right[i];
            m[i][1] = up[i];
            m[i][2] = back[i];
            m[i][3] = pos[i];
        }
        return new Camera(m, height, width, focal, near, far, samples, frequencies);
    }

    /** Channels of the encoded input: 3·samples·(2·frequencies + 1). */
    public int encodedChannels() { return 3 * samples * (2 * frequencies + 1); }

    private static double[] cross(double[] a, double[] b) {
        return new double[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    }

    private static double[] normalize(double[] v) {
        double n = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        return new double[] {v[0] / n, v[1] / n, v[2] / n};
    }
}

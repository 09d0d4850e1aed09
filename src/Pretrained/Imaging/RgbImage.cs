using SkiaSharp;

namespace ModelActors.Pretrained.Imaging;

/// <summary>An image as 8-bit RGB pixels, row by row (3 bytes per pixel).</summary>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Pixels">Width × height × 3 bytes: R, G, B.</param>
public sealed record RgbImage(int Width, int Height, byte[] Pixels)
{
    /// <summary>Checks the sizes agree; the message names the model.</summary>
    /// <param name="model">The model's name, for errors.</param>
    /// <exception cref="ArgumentException">The size is not positive, or the pixel count does not match it.</exception>
    public void Validate(string model)
    {
        if (Width < 1 || Height < 1)
        {
            throw new ArgumentException($"Model '{model}': an RGB image of {Width}×{Height} has no pixels; width and height must be 1 or more.");
        }

        if (Pixels is null || Pixels.LongLength != (long)Width * Height * 3)
        {
            throw new ArgumentException($"Model '{model}': an RGB image of {Width}×{Height} needs {(long)Math.Max(0, Width) * Math.Max(0, Height) * 3} bytes of pixels, not {Pixels?.LongLength ?? 0}.");
        }
    }

    /// <summary>Decodes PNG, JPEG (or any format SkiaSharp reads) bytes.</summary>
    /// <param name="bytes">The encoded image.</param>
    /// <param name="model">The model's name, for errors.</param>
    /// <returns>The RGB image (alpha dropped, composited on white).</returns>
    /// <exception cref="ArgumentException">The bytes are not an image SkiaSharp can decode.</exception>
    public static RgbImage Decode(byte[] bytes, string model)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var error = $"Model '{model}': the image could not be decoded (PNG or JPEG bytes expected, {bytes.Length} bytes given).";
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data) ?? throw new ArgumentException(error);
        using var bitmap = SKBitmap.Decode(codec) ?? throw new ArgumentException(error);
        return FromBitmap(bitmap);
    }

    /// <summary>The pixels of <paramref name="bitmap"/> (any color type; converted).</summary>
    internal static RgbImage FromBitmap(SKBitmap bitmap)
    {
        using var rgba = bitmap.ColorType == SKColorType.Rgba8888 ? null : bitmap.Copy(SKColorType.Rgba8888);
        var source = rgba ?? bitmap;
        var span = source.GetPixelSpan();
        var pixels = new byte[source.Width * source.Height * 3];
        for (int i = 0, j = 0; j < pixels.Length; i += 4, j += 3)
        {
            var alpha = span[i + 3] / 255f;
            pixels[j] = (byte)((span[i] * alpha) + (255 * (1 - alpha)));
            pixels[j + 1] = (byte)((span[i + 1] * alpha) + (255 * (1 - alpha)));
            pixels[j + 2] = (byte)((span[i + 2] * alpha) + (255 * (1 - alpha)));
        }

        return new RgbImage(source.Width, source.Height, pixels);
    }

    /// <summary>A Skia bitmap of this image (the caller disposes it).</summary>
    internal SKBitmap ToBitmap()
    {
        var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var span = bitmap.GetPixelSpan();
        for (int i = 0, j = 0; j < Pixels.Length; i += 4, j += 3)
        {
            span[i] = Pixels[j];
            span[i + 1] = Pixels[j + 1];
            span[i + 2] = Pixels[j + 2];
            span[i + 3] = 255;
        }

        return bitmap;
    }

    /// <summary>The image resized to <paramref name="width"/> × <paramref name="height"/> (bilinear), as RGBA pixels.</summary>
    internal byte[] ResizedRgba(int width, int height)
    {
        using var bitmap = ToBitmap();
        using var resized = bitmap.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear))
            ?? throw new InvalidOperationException($"Resizing a {Width}×{Height} image to {width}×{height} failed.");
        return resized.GetPixelSpan().ToArray();
    }

    /// <summary>The part of the image inside the rectangle (clamped to the image).</summary>
    public RgbImage Crop(int x, int y, int width, int height)
    {
        var left = Math.Clamp(x, 0, Width - 1);
        var top = Math.Clamp(y, 0, Height - 1);
        var w = Math.Clamp(width - (left - x), 1, Width - left);
        var h = Math.Clamp(height - (top - y), 1, Height - top);
        var pixels = new byte[w * h * 3];
        for (var row = 0; row < h; row++)
        {
            Array.Copy(Pixels, (((top + row) * Width) + left) * 3, pixels, row * w * 3, w * 3);
        }

        return new RgbImage(w, h, pixels);
    }
}

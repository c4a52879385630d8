using System.Globalization;
using System.Text;

namespace VectorDb.Harness.Report;

/// <summary>
/// Draws recall@10 (x) against queries per second (y, log scale) as an SVG, one polyline per configuration family
/// (rows with the same scheme, bits, index and rerank mode, ordered by recall), as ann-benchmarks does.
/// </summary>
internal static class RecallQpsPlot
{
    private const int Width = 900, Height = 600, Left = 80, Right = 260, Top = 40, Bottom = 60;
    private static readonly string[] s_palette =
        ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

    public static void Write(string path, string title, IReadOnlyList<SearchRow> rows)
    {
        var families = rows.GroupBy(r => $"{r.Scheme} b={r.Bits:0.##} {r.Index} rerank={r.Rerank}").ToList();
        double minX = Math.Min(rows.Min(r => r.RecallAt10), 0.9), maxX = 1.0;
        double minY = Math.Log10(Math.Max(1, rows.Min(r => r.Qps) / 1.5)), maxY = Math.Log10(rows.Max(r => r.Qps) * 1.5);
        double X(double recall) => Left + (recall - minX) / (maxX - minX) * (Width - Left - Right);
        double Y(double qps) => Height - Bottom - (Math.Log10(qps) - minY) / (maxY - minY) * (Height - Top - Bottom);
        string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

        var svg = new StringBuilder();
        svg.AppendLine($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        svg.AppendLine($"<text x=\"{Left}\" y=\"24\" font-size=\"16\">{Escape(title)}</text>");
        for (double recall = Math.Ceiling(minX * 20) / 20; recall <= maxX + 1e-9; recall += 0.05)
        {
            svg.AppendLine($"<line x1=\"{F(X(recall))}\" y1=\"{Top}\" x2=\"{F(X(recall))}\" y2=\"{Height - Bottom}\" stroke=\"#eee\"/>");
            svg.AppendLine($"<text x=\"{F(X(recall))}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{recall.ToString("0.00", CultureInfo.InvariantCulture)}</text>");
        }
        for (int decade = (int)Math.Floor(minY); decade <= (int)Math.Ceiling(maxY); decade++)
        {
            foreach (int mantissa in new[] { 1, 2, 5 })
            {
                double qps = mantissa * Math.Pow(10, decade);
                if (Math.Log10(qps) < minY || Math.Log10(qps) > maxY)
                {
                    continue;
                }
                svg.AppendLine($"<line x1=\"{Left}\" y1=\"{F(Y(qps))}\" x2=\"{Width - Right}\" y2=\"{F(Y(qps))}\" stroke=\"#eee\"/>");
                svg.AppendLine($"<text x=\"{Left - 6}\" y=\"{F(Y(qps) + 4)}\" text-anchor=\"end\">{qps.ToString("G", CultureInfo.InvariantCulture)}</text>");
            }
        }
        svg.AppendLine($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{Width - Left - Right}\" height=\"{Height - Top - Bottom}\" fill=\"none\" stroke=\"black\"/>");
        svg.AppendLine($"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 16}\" text-anchor=\"middle\">recall@10</text>");
        svg.AppendLine($"<text transform=\"translate(20,{(Top + Height - Bottom) / 2}) rotate(-90)\" text-anchor=\"middle\">queries per second (log)</text>");
        for (int f = 0; f < families.Count; f++)
        {
            string colour = s_palette[f % s_palette.Length];
            var points = families[f].OrderBy(r => r.RecallAt10).Select(r => $"{F(X(r.RecallAt10))},{F(Y(r.Qps))}").ToList();
            svg.AppendLine($"<polyline points=\"{string.Join(' ', points)}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>");
            foreach (string point in points)
            {
                var xy = point.Split(',');
                svg.AppendLine($"<circle cx=\"{xy[0]}\" cy=\"{xy[1]}\" r=\"3\" fill=\"{colour}\"/>");
            }
            svg.AppendLine($"<text x=\"{Width - Right + 10}\" y=\"{Top + 14 + 16 * f}\" fill=\"{colour}\">{Escape(families[f].Key)}</text>");
        }
        svg.AppendLine("</svg>");
        File.WriteAllText(path, svg.ToString());
    }

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}

-- Quarto only (`format: html: filters:`): the footer the built-in engine prints
-- under the HTML (render/pandoc.py `html_footer`), so both routes stamp the page
-- with version, date and commit alike. The built-in engine does not run filters.
local function escape(s)
  return (s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"):gsub('"', "&quot;"):gsub("'", "&#x27;"))
end

function Pandoc(doc)
  local parts = {}
  for _, field in ipairs({ { "version", "Version" }, { "date", "Date" }, { "commit", "Commit" } }) do
    local value = doc.meta[field[1]]
    if value ~= nil then
      local text = pandoc.utils.stringify(value)
      if text ~= "" then
        table.insert(parts, field[2] .. ": " .. escape(text))
      end
    end
  end
  if #parts > 0 then
    doc.blocks:insert(pandoc.RawBlock("html", '<footer class="tomas-meta">' .. table.concat(parts, " · ") .. "</footer>"))
  end
  return doc
end

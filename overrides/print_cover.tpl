{#- Cover page of the PDF (mkdocs-print-site-plugin), in Chinese. -#}
<div>
  <h1>{{ config.site_name }}</h1>
  <p>{{ config.site_description }}</p>
  <p>在线版本：<a href="{{ config.site_url }}">{{ config.site_url }}</a></p>
  <p>源代码与勘误：<a href="{{ config.repo_url }}">{{ config.repo_url }}</a></p>
  <p>{{ config.copyright }}</p>
</div>
